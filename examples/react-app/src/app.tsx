import { useCloneTask, useCreateCloneTask, useVoices, type CreateCloneTaskInput } from '@voxform/react';
import { useEffect, useState, type FormEvent } from 'react';
import { exampleProviders, type ExampleProviderId } from './providers.js';

type SampleSource = 'upload' | 'url' | 'voice';

/** The task id lives in the URL (`?task=…`): a reload, or the link opened later, shows the same task. */
function taskIdFromUrl(): string | null {
  return new URLSearchParams(window.location.search).get('task');
}

function showTaskInUrl(id: string | null) {
  const url = new URL(window.location.href);
  if (id) url.searchParams.set('task', id);
  else url.searchParams.delete('task');
  window.history.pushState(null, '', url);
}

export function App() {
  const [taskId, setTaskId] = useState<string | null>(taskIdFromUrl);
  useEffect(() => {
    const onPopState = () => setTaskId(taskIdFromUrl());
    window.addEventListener('popstate', onPopState);
    return () => window.removeEventListener('popstate', onPopState);
  }, []);

  return (
    <main>
      <h1>Clone a voice</h1>
      <p className="lead">Give a recording and a text; hear the text in that voice. The vendors here are voxform's emulator: fake keys, fake money.</p>
      <CloneForm
        onCreated={(id) => {
          setTaskId(id);
          showTaskInUrl(id);
        }}
      />
      {taskId && (
        <TaskPanel
          id={taskId}
          onDismiss={() => {
            setTaskId(null);
            showTaskInUrl(null);
          }}
        />
      )}
    </main>
  );
}

function CloneForm({ onCreated }: { onCreated: (id: string) => void }) {
  const { trigger, isMutating, error } = useCreateCloneTask();
  const { voices } = useVoices();
  const [source, setSource] = useState<SampleSource>('upload');
  const [file, setFile] = useState<File | null>(null);
  const [sampleUrl, setSampleUrl] = useState(__EXAMPLE_CONFIG__.sampleUrls[0]?.url ?? '');
  const [voice, setVoice] = useState('');
  const [provider, setProvider] = useState<ExampleProviderId>('minimax');
  const [text, setText] = useState('The lighthouse keeper lit the lamp and watched the sea.');
  const [options, setOptions] = useState('');
  const [optionsProblem, setOptionsProblem] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    let lineOptions: CreateCloneTaskInput['options'];
    if (options.trim() !== '') {
      try {
        lineOptions = JSON.parse(options);
      } catch {
        setOptionsProblem('options must be a JSON object, e.g. {"speed": 1.1}');
        return;
      }
    }
    setOptionsProblem(null);
    const input: CreateCloneTaskInput = {
      text,
      ...(lineOptions ? { options: lineOptions } : {}),
      ...(source === 'voice' ? { voice } : { provider }),
      ...(source === 'upload' && file ? { sample: file } : {}),
      ...(source === 'url' ? { sampleUrl } : {}),
    };
    const created = await trigger(input);
    if (created) onCreated(created.id);
  }

  return (
    <form onSubmit={submit} aria-label="New clone task">
      <fieldset>
        <legend>Sample</legend>
        <label>
          <input type="radio" name="source" checked={source === 'upload'} onChange={() => setSource('upload')} /> Upload a recording
        </label>
        <label>
          <input type="radio" name="source" checked={source === 'url'} onChange={() => setSource('url')} /> A sample URL
        </label>
        <label>
          <input type="radio" name="source" checked={source === 'voice'} onChange={() => setSource('voice')} disabled={!voices?.length} /> A voice of the project
        </label>
        {source === 'upload' && <input type="file" accept="audio/*" aria-label="Recording" data-testid="sample-file" onChange={(event) => setFile(event.target.files?.[0] ?? null)} />}
        {source === 'url' && (
          <>
            <input type="url" aria-label="Sample URL" value={sampleUrl} onChange={(event) => setSampleUrl(event.target.value)} list="sample-urls" />
            <datalist id="sample-urls">
              {__EXAMPLE_CONFIG__.sampleUrls.map((sample) => (
                <option key={sample.url} value={sample.url}>
                  {sample.label}
                </option>
              ))}
            </datalist>
          </>
        )}
        {source === 'voice' && (
          <select aria-label="Voice" value={voice} onChange={(event) => setVoice(event.target.value)}>
            <option value="">Choose a voice…</option>
            {voices?.map((item) => (
              <option key={item.name} value={item.name}>
                {item.name} ({item.provider}
                {item.language ? `, ${item.language}` : ''})
              </option>
            ))}
          </select>
        )}
      </fieldset>

      {source !== 'voice' && (
        <label>
          Provider
          <select aria-label="Provider" value={provider} onChange={(event) => setProvider(event.target.value as ExampleProviderId)}>
            {exampleProviders.map((item) => (
              <option key={item.id} value={item.id}>
                {item.label} — takes {item.takes}
              </option>
            ))}
          </select>
        </label>
      )}

      <label>
        Text
        <textarea aria-label="Text" value={text} onChange={(event) => setText(event.target.value)} rows={3} />
      </label>

      <details>
        <summary>Line options</summary>
        <label>
          Options (JSON, checked against the provider's schema)
          <input aria-label="Options" value={options} onChange={(event) => setOptions(event.target.value)} placeholder='{"speed": 1.1}' />
        </label>
      </details>

      <button type="submit" disabled={isMutating}>
        {isMutating ? 'Sending…' : 'Clone and speak'}
      </button>

      {(optionsProblem || error) && (
        <div role="alert" className="problem" data-testid="request-error">
          <p>{optionsProblem ?? error!.message}</p>
          {error && error.problems.length > 1 && (
            <ul>
              {error.problems.map((problem) => (
                <li key={`${problem.path}:${problem.message}`}>
                  <code>{problem.path}</code>: {problem.message}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </form>
  );
}

function TaskPanel({ id, onDismiss }: { id: string; onDismiss: () => void }) {
  const { task, status, audioUrl, error, isLoading, cancel } = useCloneTask(id);
  const [cancelProblem, setCancelProblem] = useState<string | null>(null);
  const running = status === 'pending' || status === 'processing';

  return (
    <section aria-label="Task" className="task">
      <h2>
        Task <code>{id}</code>
      </h2>
      {isLoading && <p>Looking the task up…</p>}
      {error && (
        <p role="alert" className="problem">
          {error.message}
        </p>
      )}
      {status && (
        <p>
          Status: <strong data-testid="task-status" className={`status status-${status}`}>{status}</strong>
          {task?.vendorStatus && running && <span className="vendor-status"> (vendor: {task.vendorStatus})</span>}
        </p>
      )}
      {status === 'failed' && <p className="problem">{task?.error}</p>}
      {audioUrl && (
        <p>
          <audio controls src={audioUrl} data-testid="result-audio" />
        </p>
      )}
      <p className="actions">
        {running && (
          <button
            type="button"
            onClick={() => {
              setCancelProblem(null);
              cancel().catch((cancelError: Error) => setCancelProblem(cancelError.message));
            }}
          >
            Cancel
          </button>
        )}
        <button type="button" onClick={onDismiss}>
          New task
        </button>
      </p>
      {cancelProblem && <p className="problem">{cancelProblem}</p>}
    </section>
  );
}
