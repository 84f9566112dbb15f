/**
 * What an external bucket's endpoint must be, checked where the environments load and where
 * the bucket is built: no construct code here, so the loader stays light.
 */

/** Why `endpoint` cannot be an external bucket's endpoint (an https URL of a host alone), and the fix; undefined when it can. */
export function externalEndpointProblem(endpoint: string): { readonly message: string; readonly fix: string } | undefined {
  const example = 'write it as https://s3.eu-central-1.amazonaws.com';
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return { message: 'is not a URL', fix: example };
  }
  if (url.protocol !== 'https:') {
    return { message: 'is not https: backups travel outside the cluster', fix: "use the provider's TLS endpoint, https://" };
  }
  if (!url.hostname) return { message: 'has no host', fix: example };
  if (url.pathname !== '/' || url.search || url.hash || url.username || url.password) {
    return { message: 'has more than a scheme, host and port', fix: `give the endpoint alone (the bucket is not part of it): ${example}` };
  }
  return undefined;
}
