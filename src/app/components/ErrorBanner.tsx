/**
 * The one place user-facing errors appear, with what to do; dismissable. A data error's first line names the file
 * and the problem; the lines after it (the expected folder tree) are drawn in a fixed-width font so the tree lines up.
 */
export function ErrorBanner({ message, onDismiss }: { message: string | null; onDismiss: () => void }) {
  if (!message) return null;
  const br = message.indexOf('\n');
  const [head, rest] = br < 0 ? [message, ''] : [message.slice(0, br), message.slice(br + 1)];
  const tree = /[├└│]/.test(rest);
  return (
    <div className="error" role="alert" data-testid="error">
      <div className="error-body">
        <pre className="error-text">{tree ? head : message}</pre>
        {tree && <pre className="error-text is-tree">{rest}</pre>}
      </div>
      <button type="button" className="link-button" onClick={onDismiss} aria-label="Dismiss error">
        Dismiss
      </button>
    </div>
  );
}
