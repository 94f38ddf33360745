import type { ReactNode } from 'react';

/** A numbered step of the page: the order a user works in. */
export function Section(props: {
  step: number;
  id: string;
  title: string;
  intro?: ReactNode;
  children: ReactNode;
  aside?: ReactNode;
}) {
  return (
    <section className="step" id={props.id} aria-labelledby={`${props.id}-title`}>
      <header className="step-header">
        <span className="step-number" aria-hidden>
          {props.step}
        </span>
        <div>
          <h2 id={`${props.id}-title`}>{props.title}</h2>
          {props.intro && <p className="step-intro">{props.intro}</p>}
        </div>
        {props.aside && <div className="step-aside">{props.aside}</div>}
      </header>
      {props.children}
    </section>
  );
}
