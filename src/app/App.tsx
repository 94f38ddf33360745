import { MODEL_REGISTRY } from '../lab/models/registry';

/** Placeholder shell: the full lab page (data, models, training worker, comparison) lands with the UI issue. */
export function App() {
  return (
    <main style={{ fontFamily: 'system-ui, sans-serif', maxWidth: 900, margin: '2rem auto' }}>
      <h1>X-Ray Lab</h1>
      <p>Train and compare Conv2D, LightLayers and transfer-learning networks on chest X-rays, in your browser.</p>
      <ul>
        {MODEL_REGISTRY.map((entry) => (
          <li key={entry.id}>
            <strong>{entry.label}</strong> — {entry.description}
          </li>
        ))}
      </ul>
    </main>
  );
}
