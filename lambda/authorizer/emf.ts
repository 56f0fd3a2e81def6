// What metrics.ts counts, written in CloudWatch's embedded metric format (EMF): JSON lines on stdout from which
// CloudWatch Logs extracts the metrics. A line written with process.stdout.write stays as it is under Lambda's
// JSON log format. One flush per invocation writes one line, or one per differing dimension value when an
// invocation counted under two reasons or two issuers (a member of the line holds one value).
// Counts are summed within a flush; samples keep every value, for maxima and percentiles.
// This runs once per decision, so slots are kept between flushes and each line's directives are made once.
import { issuerLabel, METRICS, type AuthorizerMetrics, type Decision, type Dimension, type IssuerMetrics, type MetricName, type MetricSpec } from './metrics';

export interface EmfOptions {
  readonly namespace: string;
  /** The `service` dimension of every metric. */
  readonly service: string;
  /** Milliseconds since the epoch: each line's timestamp. */
  readonly now: () => number;
  /** @default one write on stdout */
  readonly write?: (line: string) => void;
}

/** The specification's limit on one metric's values in one line (and on metrics per directive: ours are 14). */
export const MAX_VALUES = 100;

const NAMES = Object.keys(METRICS) as MetricName[];

interface Slot {
  /** The metric's position in METRICS: its bit in a line's mask. */
  readonly index: number;
  readonly name: MetricName;
  readonly by: Dimension | undefined;
  /** The dimension's value, when the metric has one. */
  readonly label: string | undefined;
  sum: number;
  /** Every value, for samples. */
  readonly values: number[] | undefined;
  /** Counted since the last flush. */
  pending: boolean;
}

/** Each kind of directive: its dimension sets (broken down by the dimension, and summed over it), as JSON. */
const GROUPS: readonly { readonly by: Dimension | undefined; readonly dimensions: string }[] = [
  { by: 'reason', dimensions: '[["service","reason"],["service"]]' },
  { by: 'issuer', dimensions: '[["service","issuer"],["service"]]' },
  { by: undefined, dimensions: '[["service"]]' },
];

export class EmfMetrics implements AuthorizerMetrics {
  private readonly unlabeled: (Slot | undefined)[] = [];
  private readonly labeled = new Map<string, Slot>();
  /** Slots counted since the last flush, in order. */
  private readonly active: Slot[] = [];
  private readonly issuers: IssuerMetrics[] = [];
  /** `"CloudWatchMetrics":[…]},"service":"…"` by the mask of the metrics a line holds. */
  private readonly middles = new Map<number, string>();
  private readonly write: (line: string) => void;
  private coldStart = true;

  constructor(private readonly options: EmfOptions) {
    this.write = options.write ?? ((line) => process.stdout.write(line));
  }

  decision(decision: Decision, reason: string): void {
    this.add(decision, 1, reason);
  }

  tokenCache(hit: boolean): void {
    this.add(hit ? 'TokenCacheHit' : 'TokenCacheMiss', 1);
  }

  verification(ms: number): void {
    this.add('VerificationTime', Math.round(ms * 1000) / 1000);
  }

  issuer(index: number): IssuerMetrics {
    const label = issuerLabel(index);
    return (this.issuers[index] ??= {
      fetched: (outcome, keys) => {
        this.add(outcome === 'ok' ? 'KeyFetchOk' : outcome === 'timedOut' ? 'KeyFetchTimedOut' : 'KeyFetchFailed', 1, label);
        if (keys !== undefined) this.add('KeysInSet', keys, label);
      },
      servedStale: (seconds) => this.add('KeysServedStale', Math.max(0, Math.floor(seconds)), label),
      refetchUnknownKid: () => this.add('KeyRefetchUnknownKid', 1, label),
      refetchRefused: () => this.add('KeyRefetchRefused', 1, label),
    });
  }

  /** Writes what was counted since the last flush (the first flush also counts the cold start). */
  flush(): void {
    if (this.coldStart) {
      this.coldStart = false;
      this.add('ColdStart', 1);
    }
    const active = this.active;
    if (active.length === 0) return;
    const timestamp = this.options.now();
    // Almost always one line: one reason, at most one issuer, at most 100 values each.
    const labels: Partial<Record<Dimension, string>> = {};
    let one = true;
    for (const s of active) {
      if (s.values && s.values.length > MAX_VALUES) one = false;
      if (s.by === undefined) continue;
      if (labels[s.by] !== undefined && labels[s.by] !== s.label) one = false;
      labels[s.by] = s.label;
    }
    if (one) this.write(this.line(timestamp, active, undefined));
    else for (const { slots, starts } of split(active)) this.write(this.line(timestamp, slots, starts));
    for (const s of active) {
      s.sum = 0;
      if (s.values) s.values.length = 0;
      s.pending = false;
    }
    active.length = 0;
  }

  private add(name: MetricName, value: number, label?: string): void {
    let slot = label === undefined ? this.unlabeled[METRIC_INDEX[name]] : this.labeled.get(`${name} ${label}`);
    if (!slot) {
      const spec: MetricSpec = METRICS[name];
      slot = { index: METRIC_INDEX[name], name, by: spec.by, label, sum: 0, values: spec.kind === 'sample' ? [] : undefined, pending: false };
      if (label === undefined) this.unlabeled[slot.index] = slot;
      else this.labeled.set(`${name} ${label}`, slot);
    }
    if (slot.values) slot.values.push(value);
    else slot.sum += value;
    if (!slot.pending) {
      slot.pending = true;
      this.active.push(slot);
    }
  }

  /** One EMF line holding `slots` (each metric once, one value per dimension); `starts`: where each one's values begin. */
  private line(timestamp: number, slots: readonly Slot[], starts: readonly number[] | undefined): string {
    let mask = 0;
    let members = '';
    let labelled = '';
    slots.forEach((s, i) => {
      mask |= 1 << s.index;
      // A dimension's member once per line, however many of its metrics the line holds.
      if (s.by !== undefined && !labelled.includes(s.by)) {
        labelled += s.by;
        members += `,"${s.by}":${JSON.stringify(s.label)}`;
      }
      if (!s.values) members += `,"${s.name}":${s.sum}`;
      else {
        const values = starts ? s.values.slice(starts[i], starts[i]! + MAX_VALUES) : s.values;
        members += `,"${s.name}":${values.length === 1 ? values[0] : `[${values.join(',')}]`}`;
      }
    });
    let middle = this.middles.get(mask);
    if (middle === undefined) {
      const directives = GROUPS.flatMap(({ by, dimensions }) => {
        const names = NAMES.filter((n, i) => mask & (1 << i) && (METRICS[n] as MetricSpec).by === by);
        return names.length === 0 ? [] : [{ Namespace: this.options.namespace, Dimensions: JSON.parse(dimensions) as unknown, Metrics: names.map((n) => ({ Name: n, Unit: METRICS[n].unit })) }];
      });
      middle = `,"CloudWatchMetrics":${JSON.stringify(directives)}},"service":${JSON.stringify(this.options.service)}`;
      this.middles.set(mask, middle);
    }
    return `{"_aws":{"Timestamp":${timestamp}${middle}${members}}\n`;
  }
}

const METRIC_INDEX = Object.fromEntries(NAMES.map((n, i) => [n, i])) as Record<MetricName, number>;

/**
 * The slots of a flush that cannot share one line, as few lines as it takes: a slot goes to the first line that
 * does not hold its metric yet and whose dimension is unset or already its value; past 100 values, the rest of a
 * metric's values go to further lines.
 */
function split(active: readonly Slot[]): { slots: Slot[]; starts: number[]; reason?: string; issuer?: string }[] {
  const lines: { slots: Slot[]; starts: number[]; reason?: string; issuer?: string }[] = [];
  for (const slot of active) {
    for (let start = 0; start === 0 || start < (slot.values?.length ?? 0); start += MAX_VALUES) {
      let line = lines.find((l) => !l.slots.some((s) => s.index === slot.index) && (slot.by === undefined || l[slot.by] === undefined || l[slot.by] === slot.label));
      if (!line) lines.push((line = { slots: [], starts: [] }));
      if (slot.by !== undefined) line[slot.by] = slot.label;
      line.slots.push(slot);
      line.starts.push(start);
    }
  }
  return lines;
}
