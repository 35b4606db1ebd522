import { describe, expect, it } from 'vitest';
import { costOverBudget, estimateCost, formatMoney, type ProviderPricing } from './estimate-cost.js';
import type { PlannedChange } from './plan-types.js';

const line = (provider: string, characters: number, action: 'render' | 'restore' = 'render'): PlannedChange => ({
  kind: 'line', address: `s/${provider}-${characters}`, action, reason: 'new line', provider, characters: action === 'render' ? characters : 0,
  script: 's', voice: 'v', key: 'k', file: 'f',
});
const voice = (provider: string, action: 'create' | 'replace' | 'delete' = 'create'): PlannedChange => ({
  kind: 'voice', address: `voice.${provider}`, action, reason: 'new voice', provider, characters: 0, voice: provider,
});
const capabilities = (provider: string) => ({ free: provider === 'local', persistentVoices: provider !== 'aivoiceclonefree' && provider !== 'local' });
const estimate = (changes: PlannedChange[], pricing: Record<string, ProviderPricing>) =>
  estimateCost({ changes, pricing: (provider) => pricing[provider], capabilities });

describe('estimateCost', () => {
  it('prices characters per million and clones per voice, per provider and in total', () => {
    const result = estimate([voice('minimax'), line('minimax', 2_000_000), line('minimax', 800), line('vidu', 320), line('vidu', 99, 'restore')], {
      minimax: { perMillionCharacters: 50, perVoiceClone: 1.5, currency: 'USD' },
      vidu: { perMillionCharacters: 100, currency: 'USD' },
    });
    expect(result.byProvider).toEqual([
      { provider: 'minimax', known: true, amount: 101.54, currency: 'USD', characters: 2_000_800, voiceClones: 1 },
      { provider: 'vidu', known: true, amount: 0.032, currency: 'USD', characters: 320, voiceClones: 0 },
    ]);
    expect(result.total).toEqual({ USD: 101.572 });
    expect(result.complete).toBe(true);
    expect(result.text).toBe('Estimated cost: $101.572 (minimax $101.54, vidu $0.032).');
  });

  it('says a cost is unknown without pricing, never 0, and names the setting', () => {
    const result = estimate([line('minimax', 1000), line('vidu', 500)], { minimax: { perMillionCharacters: 50, currency: 'USD' } });
    expect(result.complete).toBe(false);
    expect(result.byProvider[1]).toEqual({ provider: 'vidu', known: false, characters: 500, voiceClones: 0, reason: 'no pricing: set providers.vidu.pricing' });
    expect(result.text).toBe('Estimated cost: at least $0.05 (minimax $0.05, vidu unknown). Unknown: no pricing: set providers.vidu.pricing.');
    expect(estimate([line('vidu', 500)], {}).text).toBe('Estimated cost: unknown (no pricing: set providers.vidu.pricing).');
    expect(estimate([voice('minimax')], { minimax: { perMillionCharacters: 50, currency: 'USD' } }).byProvider[0]).toMatchObject({
      known: false, reason: 'no price per voice clone: set providers.minimax.pricing.perVoiceClone',
    });
  });

  it('costs nothing for free providers, voices kept nowhere, restores and deletions', () => {
    const result = estimate([voice('local'), line('local', 5000), voice('aivoiceclonefree'), line('minimax', 10, 'restore'), voice('minimax', 'delete')], {});
    expect(result).toEqual({ byProvider: [], total: {}, complete: true, text: '' });
  });

  it('keeps each currency apart', () => {
    const result = estimate([line('minimax', 1_000_000), line('vidu', 1_000_000)], {
      minimax: { perMillionCharacters: 10, currency: 'USD' },
      vidu: { perMillionCharacters: 70, currency: 'CNY' },
    });
    expect(result.total).toEqual({ USD: 10, CNY: 70 });
    expect(result.text).toBe('Estimated cost: $10.00 + CN¥70.00 (minimax $10.00, vidu CN¥70.00).');
  });
});

describe('costOverBudget', () => {
  const priced = { minimax: { perMillionCharacters: 50, perVoiceClone: 1.5, currency: 'USD' } };

  it('accepts an estimate up to the budget and refuses one over it, saying nothing was spent', () => {
    const plan = estimate([voice('minimax'), line('minimax', 1_000_000)], priced);
    expect(costOverBudget(plan, 51.5)).toBeUndefined();
    expect(costOverBudget(plan, 51)).toBe('the estimated cost $51.50 is over --max-cost $51.00. Nothing was spent. Narrow the plan with --target, or raise --max-cost.');
    expect(costOverBudget(estimate([], priced), 0)).toBeUndefined();
  });

  it('refuses when the cost cannot be known or compared', () => {
    expect(costOverBudget(estimate([line('vidu', 10)], priced), 100)).toBe(
      'the cost of this plan is not fully known, so --max-cost 100 cannot be checked: vidu: no pricing: set providers.vidu.pricing.',
    );
    const twoCurrencies = estimate([line('minimax', 10), line('vidu', 10)], { ...priced, vidu: { perMillionCharacters: 1, currency: 'EUR' } });
    expect(costOverBudget(twoCurrencies, 100)).toMatch(/several currencies .* cannot be checked: price every provider in one currency/);
  });
});

describe('formatMoney', () => {
  it('shows at least cents and up to four decimals', () => {
    expect(formatMoney(1.5, 'USD')).toBe('$1.50');
    expect(formatMoney(0.00042, 'EUR')).toBe('€0.0004');
  });
});
