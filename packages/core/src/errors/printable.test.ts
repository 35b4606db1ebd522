import { describe, expect, it } from 'vitest';
import { ApiCallError } from './api-call-error.js';
import { printable } from './printable.js';
import { TaskError } from './task-error.js';

// What a hostile or broken endpoint might put in an error message it sends back.
const hostile = 'bad key\u001b[2J\u001b]0;pwned\u0007\r\nError: everything is fine\u009b31m\u2028done\u0000';

describe('vendor text in error messages', () => {
  it('printable puts it on one line without control characters', () => {
    expect(printable(hostile)).toBe('bad key [2J ]0;pwned Error: everything is fine 31m done');
    expect(printable('  plain text, kept  ')).toBe('plain text, kept');
  });

  it('ApiCallError and TaskError messages carry no escape sequence or line break from the vendor', () => {
    const api = new ApiCallError({ provider: 'Vendor', method: 'POST', url: 'https://api.vendor.test/v1/x', problem: `HTTP 400 (${hostile})`, hint: 'Check it.', isRetryable: false, secrets: ['pwned'] });
    const task = new TaskError({ reason: 'failed', provider: 'Vendor', taskId: 't1', message: `task t1 failed: ${hostile}` });
    for (const message of [api.message, task.message]) {
      expect(message).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
      expect(message).toContain('Error: everything is fine');
    }
    expect(api.message).toBe('Vendor POST https://api.vendor.test/v1/x failed: HTTP 400 (bad key [2J ]0;*** Error: everything is fine 31m done ). Check it.');
  });
});
