/**
 * Every construct area's review rules (downtime and security) for `npm run diff`
 * (gitops/review/). Data loss is the transition rules' class (constructs/transitions.ts),
 * shared with the transition guard.
 */
import { NAMESPACE_RISKS } from './foundation/namespace-risks';
import { NETWORK_POLICY_RISKS } from './foundation/network-policy-risks';
import { ROUTE_RISKS } from './ingress/route-risks';
import { RELEASE_RISKS } from './operators/release-risks';
import type { RiskRule } from './platform/risk-rules';
import { WORKLOAD_RISKS } from './platform/workload-risks';
import { SECRET_REFERENCE_RISKS } from './secrets/secret-reference-risks';

export const RISK_RULES: readonly RiskRule[] = [
  ...NAMESPACE_RISKS,
  ...NETWORK_POLICY_RISKS,
  ...WORKLOAD_RISKS,
  ...ROUTE_RISKS,
  ...RELEASE_RISKS,
  ...SECRET_REFERENCE_RISKS,
];
