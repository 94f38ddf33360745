import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { ensureCrossOriginIsolation } from './lib/cross-origin-isolation';
import './styles.css';
import './models-train.css';

// Isolation first (it may reload the page once), so the worker starts with shared memory and wasm on every core.
void ensureCrossOriginIsolation().then((reloading) => {
  if (reloading) return;
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
});
