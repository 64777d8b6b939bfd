// The hosted UI's branding: UI customization (CSS and logo, applied to the
// login page), managed login branding styles and terms documents (linked
// from the login page).
"use strict";

// A 1×1 PNG.
const png = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
  "base64",
);

async function run(ctx) {
  const { cip, assert, send, refused, cfg } = ctx;
  const { Id: poolId } = await ctx.pool("sdkjs-branding", { UserPoolTier: "ESSENTIALS" });
  const redirect = "https://app.example.com/callback";
  const app = await ctx.appClient(poolId, {
    AllowedOAuthFlows: ["code"],
    AllowedOAuthFlowsUserPoolClient: true,
    AllowedOAuthScopes: ["openid"],
    CallbackURLs: [redirect],
    SupportedIdentityProviders: ["COGNITO"],
  });
  await send(new cip.CreateUserPoolDomainCommand({ UserPoolId: poolId, Domain: `sdkjs-brand-${poolId.split("_")[1].toLowerCase()}` }));

  // UI customization: the client's CSS and logo are on its login page.
  const css = ".banner-customizable { background-color: #123456; }";
  const { UICustomization: set } = await send(
    new cip.SetUICustomizationCommand({ UserPoolId: poolId, ClientId: app.ClientId, CSS: css, ImageFile: png }),
  );
  assert.equal(set.CSS, css);
  const { UICustomization: got } = await send(new cip.GetUICustomizationCommand({ UserPoolId: poolId, ClientId: app.ClientId }));
  assert.equal(got.CSS, css);
  assert.equal(got.ClientId, app.ClientId);
  const loginURL = `${cfg.endpoint}/${poolId}/login?client_id=${app.ClientId}&response_type=code&scope=openid&redirect_uri=${encodeURIComponent(redirect)}`;
  const login = await fetch(loginURL);
  assert.equal(login.status, 200);
  const page = await login.text();
  assert.ok(page.includes("#123456"), "the login page carries the client's CSS");
  assert.ok(page.includes("data:image/png;base64,"), "the login page carries the logo");
  await refused(
    "branding.badCssClass",
    new cip.SetUICustomizationCommand({ UserPoolId: poolId, CSS: ".not-a-class { color: red; }" }),
    ["InvalidParameterException", 'The CSS class "not-a-class" is not one that the hosted UI allows you to customize.'],
  );

  // Managed login branding: one style per client.
  const { ManagedLoginBranding: style } = await send(
    new cip.CreateManagedLoginBrandingCommand({ UserPoolId: poolId, ClientId: app.ClientId, UseCognitoProvidedValues: true }),
  );
  assert.equal(style.UseCognitoProvidedValues, true);
  await refused(
    "branding.secondStyle",
    new cip.CreateManagedLoginBrandingCommand({ UserPoolId: poolId, ClientId: app.ClientId, UseCognitoProvidedValues: true }),
    ["ManagedLoginBrandingExistsException"],
  );
  const { ManagedLoginBranding: updated } = await send(
    new cip.UpdateManagedLoginBrandingCommand({
      UserPoolId: poolId,
      ManagedLoginBrandingId: style.ManagedLoginBrandingId,
      Settings: { components: { pageBackground: { lightMode: { color: "ffffffff" } } } },
    }),
  );
  assert.equal(updated.UseCognitoProvidedValues, false);
  const { ManagedLoginBranding: byId } = await send(
    new cip.DescribeManagedLoginBrandingCommand({ UserPoolId: poolId, ManagedLoginBrandingId: style.ManagedLoginBrandingId }),
  );
  assert.deepEqual(byId.Settings, { components: { pageBackground: { lightMode: { color: "ffffffff" } } } });
  const { ManagedLoginBranding: byClient } = await send(
    new cip.DescribeManagedLoginBrandingByClientCommand({ UserPoolId: poolId, ClientId: app.ClientId }),
  );
  assert.equal(byClient.ManagedLoginBrandingId, style.ManagedLoginBrandingId);
  await send(new cip.DeleteManagedLoginBrandingCommand({ UserPoolId: poolId, ManagedLoginBrandingId: style.ManagedLoginBrandingId }));
  await refused(
    "branding.deletedStyle",
    new cip.DescribeManagedLoginBrandingCommand({ UserPoolId: poolId, ManagedLoginBrandingId: style.ManagedLoginBrandingId }),
    ["ResourceNotFoundException", `Managed login branding ${style.ManagedLoginBrandingId} does not exist.`],
  );

  // Terms documents of the client.
  const { Terms: terms } = await send(
    new cip.CreateTermsCommand({
      UserPoolId: poolId,
      ClientId: app.ClientId,
      TermsName: "terms-of-use",
      TermsSource: "LINK",
      Enforcement: "NONE",
      Links: { "cognito:default": "https://app.example.com/terms" },
    }),
  );
  assert.equal(terms.TermsName, "terms-of-use");
  await refused(
    "branding.termsName",
    new cip.CreateTermsCommand({
      UserPoolId: poolId,
      ClientId: app.ClientId,
      TermsName: "cookies",
      TermsSource: "LINK",
      Enforcement: "NONE",
      Links: { "cognito:default": "https://app.example.com/cookies" },
    }),
    [
      "InvalidParameterException",
      "1 validation error detected: Value 'cookies' at 'termsName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^(terms-of-use|privacy-policy)$",
    ],
  );
  await send(
    new cip.UpdateTermsCommand({
      UserPoolId: poolId,
      TermsId: terms.TermsId,
      Links: { "cognito:default": "https://app.example.com/terms-v2" },
    }),
  );
  const { Terms: read } = await send(new cip.DescribeTermsCommand({ UserPoolId: poolId, TermsId: terms.TermsId }));
  assert.deepEqual(read.Links, { "cognito:default": "https://app.example.com/terms-v2" });
  const { Terms: privacy } = await send(
    new cip.CreateTermsCommand({
      UserPoolId: poolId,
      ClientId: app.ClientId,
      TermsName: "privacy-policy",
      TermsSource: "LINK",
      Enforcement: "NONE",
      Links: { "cognito:default": "https://app.example.com/privacy" },
    }),
  );
  const listed = await send(new cip.ListTermsCommand({ UserPoolId: poolId }));
  assert.deepEqual(listed.Terms.map((t) => t.TermsId).sort(), [terms.TermsId, privacy.TermsId].sort());
  // With both documents, the client's login page links them.
  const linked = await (await fetch(loginURL)).text();
  assert.ok(linked.includes("https://app.example.com/terms-v2"), "the login page links the terms of use");
  assert.ok(linked.includes("https://app.example.com/privacy"), "the login page links the privacy policy");
  await send(new cip.DeleteTermsCommand({ UserPoolId: poolId, TermsId: privacy.TermsId }));
  await send(new cip.DeleteTermsCommand({ UserPoolId: poolId, TermsId: terms.TermsId }));
  assert.deepEqual((await send(new cip.ListTermsCommand({ UserPoolId: poolId }))).Terms, []);
}

module.exports = { run };
