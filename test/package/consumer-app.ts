// The CDK app a consumer of the package writes, file by file: plain JavaScript run by node as it is, two RestApis
// sharing one OidcAuthorizer, and handlers that re-check their route with `apigw-oidc-authorizer/runtime`.
// The handlers are not bundled, so their asset ships what they require: handlers/ and the package itself
// (a Lambda resolves modules from its asset only, and so does the local emulator).

const APP_JS = `const { App, IgnoreMode, Stack } = require('aws-cdk-lib');
const { LambdaIntegration, RestApi } = require('aws-cdk-lib/aws-apigateway');
const lambda = require('aws-cdk-lib/aws-lambda');
const { OidcAuthorizer } = require('apigw-oidc-authorizer');

const app = new App();
const stack = new Stack(app, 'Shop');
const oidc = new OidcAuthorizer(stack, 'Oidc', { issuer: app.node.tryGetContext('issuer'), audience: app.node.tryGetContext('audience') });

const code = lambda.Code.fromAsset(__dirname, {
  ignoreMode: IgnoreMode.GIT,
  exclude: ['/*', '!/handlers/', '!/node_modules/', '/node_modules/*', '!/node_modules/apigw-oidc-authorizer/'],
});

function route(api, method, resourcePath, options, file) {
  const fn = new lambda.Function(stack, api.node.id + method + resourcePath.replace(/\\W/g, ''), {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'handlers/' + file + '.handler',
    code,
    environment: { ...options.handlerEnvironment },
  });
  const resource = resourcePath === '/' ? api.root : api.root.resourceForPath(resourcePath);
  resource.addMethod(method, new LambdaIntegration(fn), options);
}

const shop = new RestApi(stack, 'ShopApi');
route(shop, 'GET', '/', oidc.optional(), 'hello');
route(shop, 'GET', '/orders', oidc.require({ scopes: ['orders:read'] }), 'orders');
route(shop, 'POST', '/orders', oidc.require({ scopes: ['orders:write'] }), 'orders');

const admin = new RestApi(stack, 'AdminApi');
route(admin, 'GET', '/stats', oidc.require({ scopes: ['admin'] }), 'stats');

app.synth();
`;

const handler = (body: string) => `const { json, routeHandler } = require('apigw-oidc-authorizer/runtime');

exports.handler = routeHandler((auth, event) => json(200, ${body}));
`;

export const CONSUMER_FILES: Readonly<Record<string, string>> = {
  'package.json': `${JSON.stringify({ name: 'shop', version: '1.0.0', private: true }, null, 2)}\n`,
  'cdk.json': `${JSON.stringify({ app: 'node app.js' }, null, 2)}\n`,
  'app.js': APP_JS,
  'handlers/hello.js': handler('auth.anonymous ? { anonymous: true } : { user: auth.username }'),
  'handlers/orders.js': handler('{ method: event.httpMethod, user: auth.username }'),
  'handlers/stats.js': handler('{ admin: auth.username }'),
};
