/** The one place user-facing errors appear, with what to do; dismissable. */
export function ErrorBanner({ message, onDismiss }: { message: string | null; onDismiss: () => void }) {
  if (!message) return null;
  return (
    <div className="error" role="alert" data-testid="error">
      <pre className="error-text">{message}</pre>
      <button type="button" className="link-button" onClick={onDismiss} aria-label="Dismiss error">
        Dismiss
      </button>
    </div>
  );
}
