/**
 * The sizes of the in-cluster Prometheus and Alertmanager, and the rules they must keep: no
 * construct code here, so the environments' checks use them without loading the constructs.
 */
import type { ComputeResources } from '../core/compute';
import { parseQuantity } from '../core/quantity';

/** The Prometheus servers. */
export interface PrometheusServerSettings {
  /** Two keep the alerts evaluated while one restarts. */
  readonly replicas: number;
  /** How long samples are kept, a Prometheus duration (e.g. `15d`). */
  readonly retention: string;
  /** Each replica's volume (e.g. `50Gi`); samples are also dropped once 90% of it is used. */
  readonly storageSize: string;
  readonly resources: ComputeResources;
}

/** The Alertmanagers: an odd count above one forms a cluster that keeps silences and notification state. */
export interface AlertmanagerSettings {
  readonly replicas: number;
  /** Each replica's volume for silences and the notification log (e.g. `1Gi`). */
  readonly storageSize: string;
}

const RETENTION = /^[1-9][0-9]*(h|d|w|y)$/;

/** Why the settings cannot run, or undefined. */
export function prometheusStackProblem(props: {
  readonly prometheus: PrometheusServerSettings;
  readonly alertmanager: AlertmanagerSettings;
}): string | undefined {
  const { prometheus, alertmanager } = props;
  if (!Number.isInteger(prometheus.replicas) || prometheus.replicas < 1) {
    return `prometheus.replicas ${prometheus.replicas} is not a count of 1 or more`;
  }
  if (!RETENTION.test(prometheus.retention)) {
    return `prometheus.retention "${prometheus.retention}" is not a whole number of hours, days, weeks or years, e.g. 15d`;
  }
  if (!Number.isInteger(alertmanager.replicas) || alertmanager.replicas < 1) {
    return `alertmanager.replicas ${alertmanager.replicas} is not a count of 1 or more`;
  }
  if (alertmanager.replicas > 1 && alertmanager.replicas % 2 === 0) {
    return `alertmanager.replicas ${alertmanager.replicas} is even; an Alertmanager cluster needs an odd count (1, 3 or 5) to agree on silences`;
  }
  for (const [what, size] of [
    ['prometheus.storageSize', prometheus.storageSize],
    ['alertmanager.storageSize', alertmanager.storageSize],
  ] as const) {
    let bytes = 0;
    try {
      bytes = parseQuantity(size);
    } catch {
      bytes = 0;
    }
    if (!(bytes >= 2 ** 30)) return `${what} "${size}" is not a volume size of 1Gi or more`;
  }
  return undefined;
}
