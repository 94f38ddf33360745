/** A chart as plain data: what the page asks VisChart to draw and what chart-text reads out as numbers. */
export type ChartSpec =
  | {
      kind: 'line';
      /** values[s][i] is series s at x = i; every series as long as the longest (null = no point). */
      series: string[];
      values: (number | null)[][];
      xLabel: string;
      /** 'ordinal' for epochs (whole numbers, one tick each); default quantitative. */
      xType?: 'ordinal' | 'quantitative';
      /** Quantitative x only: point i is drawn at x = i × xStep (default 1); the axis spans the data. */
      xStep?: number;
      yLabel: string;
      yDomain?: [number, number];
      /**
       * Colours of named series that must not change between views (a reference line); the rest take the palette in
       * order.
       */
      fixedColors?: Record<string, string>;
    }
  | { kind: 'confusion'; matrix: number[][]; labels: string[] };
