// The package's main entry: the construct and the types of its props.
export { OidcAuthorizer, type OidcAuthorizerProps, type OidcMethodOptions, type RouteRequirement } from './constructs/oidc-authorizer';
export { type OidcMonitoring } from './constructs/authorizer-monitoring';
export { type AuthorizerTrust, type IssuerSetting, type OidcAuthorizerSettings, SettingError } from './constructs/authorizer-settings';
