/** The defaults of an Application (constructs/apps/application.ts), shared with the environments' loader. */
export const APPLICATION_DEFAULTS = {
  /** The container port it serves HTTP on. */
  port: 8080,
  replicas: 2,
  resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
} as const;
