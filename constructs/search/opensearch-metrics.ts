/**
 * What the Prometheus exporter plugin of an OpenSearch cluster's nodes exports (every series
 * labelled with `cluster` and `node`), scraped through the ServiceMonitor the operator creates
 * for `general.monitoring`. From the documentation of the plugin
 * (opensearch-project/opensearch-prometheus-exporter, formerly Aiven's).
 */
export const OPENSEARCH_METRICS: readonly string[] = [
  'opensearch_cluster_datanodes_number',
  'opensearch_cluster_nodes_number',
  'opensearch_cluster_pending_tasks_number',
  'opensearch_cluster_shards_active_percent',
  'opensearch_cluster_shards_number',
  'opensearch_cluster_status',
  'opensearch_fs_total_available_bytes',
  'opensearch_fs_total_free_bytes',
  'opensearch_fs_total_total_bytes',
  'opensearch_indices_doc_number',
  'opensearch_indices_indexing_index_count',
  'opensearch_indices_indexing_index_time_seconds',
  'opensearch_indices_search_query_count',
  'opensearch_indices_search_query_time_seconds',
  'opensearch_indices_store_size_bytes',
  'opensearch_jvm_gc_collection_count',
  'opensearch_jvm_gc_collection_time_seconds',
  'opensearch_jvm_mem_heap_max_bytes',
  'opensearch_jvm_mem_heap_used_bytes',
  'opensearch_os_cpu_percent',
];
