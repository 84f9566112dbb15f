import { metricNames, variableSelector } from '../../../constructs/monitoring/promql-metrics';

describe('metricNames', () => {
  test('a selector: the metric, not its label names or values', () => {
    expect(metricNames('cnpg_collector_up{namespace=~"$namespace", pod=~"postgres-[1-9][0-9]*"} == 1')).toEqual(['cnpg_collector_up']);
  });

  test('functions, aggregations and their label lists are not metrics', () => {
    expect(
      metricNames('histogram_quantile(0.95, sum by (le, schedule) (rate(velero_backup_duration_seconds_bucket{schedule=~"$schedule"}[1h])))'),
    ).toEqual(['velero_backup_duration_seconds_bucket']);
    expect(metricNames('sum without (instance) (rate(up[$__rate_interval]))')).toEqual(['up']);
  });

  test('both sides of a binary operation, with on/ignoring/group_left label lists left out', () => {
    expect(
      metricNames(
        'max by (namespace, pod) (cnpg_pg_replication_lag{a="b"} and on (namespace, pod) group_left (node) cnpg_pg_replication_is_wal_receiver_up == 1) > 300',
      ),
    ).toEqual(['cnpg_pg_replication_is_wal_receiver_up', 'cnpg_pg_replication_lag']);
    expect(metricNames('a_total / ignoring (code) b_total')).toEqual(['a_total', 'b_total']);
  });

  test('keywords, numbers, durations, offsets, strings and Grafana variables are not metrics', () => {
    expect(metricNames('time() - x_seconds offset 5m > 1.5e9 or vector(0) unless bool_thing > bool 2')).toEqual(['bool_thing', 'x_seconds']);
    expect(metricNames('label_replace(m, "dst", "$1", "src", "(.*)")')).toEqual(['m']);
    expect(metricNames('rate(m[$__rate_interval]) * ${factor} + $scale')).toEqual(['m']);
    expect(metricNames('max_over_time(m[5m:1m]) > Inf')).toEqual(['m']);
  });

  test('recording rule names with colons are metrics', () => {
    expect(metricNames('sum(node_namespace_pod_container:container_cpu_usage_seconds_total:sum_irate)')).toEqual([
      'node_namespace_pod_container:container_cpu_usage_seconds_total:sum_irate',
    ]);
  });
});

test('variableSelector: the selector of label_values(), or the query itself', () => {
  expect(variableSelector('label_values(kafka_server_x{namespace=~"$namespace"}, strimzi_io_cluster)')).toBe(
    'kafka_server_x{namespace=~"$namespace"}',
  );
  expect(variableSelector('up')).toBe('up');
});
