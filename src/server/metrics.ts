// Prometheus metrics, kept per server (no global registry): counters, gauges read at scrape time, and
// one histogram. The text format is simple enough to write by hand.

type Labels = Record<string, string>;

interface Series {
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
}

export class Metrics {
  readonly #series = new Map<string, Series>();
  readonly #counters = new Map<string, Map<string, number>>();
  readonly #gauges = new Map<string, () => Promise<[Labels, number][]> | [Labels, number][]>();
  readonly #histograms = new Map<string, { buckets: readonly number[]; values: Map<string, { counts: number[]; sum: number; count: number }> }>();

  counter(name: string, help: string): (labels?: Labels, by?: number) => void {
    this.#series.set(name, { help, type: 'counter' });
    const values = new Map<string, number>();
    this.#counters.set(name, values);
    return (labels = {}, by = 1) => {
      const key = labelText(labels);
      values.set(key, (values.get(key) ?? 0) + by);
    };
  }

  /** A gauge whose values are read when scraped. */
  gauge(name: string, help: string, read: () => Promise<[Labels, number][]> | [Labels, number][]): void {
    this.#series.set(name, { help, type: 'gauge' });
    this.#gauges.set(name, read);
  }

  histogram(name: string, help: string, buckets: readonly number[]): (value: number, labels?: Labels) => void {
    this.#series.set(name, { help, type: 'histogram' });
    const values = new Map<string, { counts: number[]; sum: number; count: number }>();
    this.#histograms.set(name, { buckets, values });
    return (value, labels = {}) => {
      const key = labelText(labels);
      let h = values.get(key);
      if (!h) values.set(key, (h = { counts: buckets.map(() => 0), sum: 0, count: 0 }));
      buckets.forEach((b, i) => { if (value <= b) h!.counts[i]!++; });
      h.sum += value;
      h.count++;
    };
  }

  async render(): Promise<string> {
    const out: string[] = [];
    for (const [name, series] of this.#series) {
      out.push(`# HELP ${name} ${series.help}`, `# TYPE ${name} ${series.type}`);
      if (series.type === 'counter') for (const [labels, v] of this.#counters.get(name)!) out.push(`${name}${labels} ${v}`);
      if (series.type === 'gauge') for (const [labels, v] of await this.#gauges.get(name)!()) out.push(`${name}${labelText(labels)} ${v}`);
      if (series.type === 'histogram') {
        const { buckets, values } = this.#histograms.get(name)!;
        for (const [labels, h] of values) {
          const inner = labels.slice(1, -1);
          buckets.forEach((b, i) => out.push(`${name}_bucket{${inner ? `${inner},` : ''}le="${b}"} ${h.counts[i]}`));
          out.push(`${name}_bucket{${inner ? `${inner},` : ''}le="+Inf"} ${h.count}`, `${name}_sum${labels} ${h.sum}`, `${name}_count${labels} ${h.count}`);
        }
      }
    }
    return `${out.join('\n')}\n`;
  }
}

function labelText(labels: Labels): string {
  const keys = Object.keys(labels).sort();
  if (keys.length === 0) return '';
  return `{${keys.map((k) => `${k}="${String(labels[k]).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`).join(',')}}`;
}
