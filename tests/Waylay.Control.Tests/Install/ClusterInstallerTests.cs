using System.Text.Json.Nodes;
using Waylay.Control.Tests.KubeApi;
using Waylay.Linux;
using Waylay.TestKit;

namespace Waylay.Control.Tests.Install;

/// <summary>
/// <c>waylay install --apply</c> and <c>waylay uninstall</c> (the real CLI, the real KubernetesClient) against the
/// recorded API server over HTTPS, which keeps what is applied: the requests sent, their order and bodies; a second
/// install; a refusal mid-way; an uninstall that leaves what install did not make.
/// </summary>
public sealed class ClusterInstallerTests
{
    private const string Ns = "mesh";

    [Fact]
    public async Task Apply_ServerSideAppliesEveryPrintedObject_InOrder_AndASecondRunChangesNothing()
    {
        await using var server = (await RecordedKubeApiServer.StartAsync()).AcceptWrites();

        var first = await InstallAsync(server);
        Assert.True(first.Succeeded, first.Diagnostic);

        // Reads first (is the namespace the user's? is there a current certificate?), then one apply per object, and
        // before the webhook configuration a read of the webhook Deployment's status (a replica available).
        var requests = server.Requests;
        Assert.Equal([("GET", $"/api/v1/namespaces/{Ns}"), ("GET", $"/api/v1/namespaces/{Ns}/secrets/waylay-webhook-certs")], requests.Take(2).Select(r => (r.Method, r.Path)));
        var registration = requests.ToList().FindIndex(r => r.Method == "PATCH" && r.Path.Contains("mutatingwebhookconfigurations", StringComparison.Ordinal));
        Assert.Equal(("GET", $"/apis/apps/v1/namespaces/{Ns}/deployments/waylay-webhook"), (requests[registration - 1].Method, requests[registration - 1].Path));
        // Then what an earlier install made and this one does not is looked for by label (nothing, the first time).
        Assert.All(requests.Skip(registration + 1), r => Assert.Equal(("GET", $"app.kubernetes.io/managed-by=waylay,install.waylay.io/namespace={Ns}"), (r.Method, r.Query["labelSelector"])));
        var applies = requests.Skip(2).Where(r => r.Method != "GET").ToList();
        Assert.All(applies, r =>
        {
            Assert.Equal("PATCH", r.Method);
            Assert.StartsWith("application/apply-patch+yaml", r.ContentType, StringComparison.Ordinal);
            Assert.Equal("waylay", r.Query["fieldManager"]);
            Assert.Equal("true", r.Query["force"]);
        });

        // What was sent is what install prints, object for object, in the printed (dependency) order.
        var printed = await PrintedInstall.RunAsync("--namespace", Ns);
        var sent = applies.Select(r => JsonNode.Parse(r.Body)!).ToList();
        Assert.Equal(printed.Select(o => (o.Kind, o.Metadata.Name)), sent.Select(o => (o["kind"]!.GetValue<string>(), o["metadata"]!["name"]!.GetValue<string>())));
        Assert.Equal(
            ["/api/v1/namespaces/mesh", "/api/v1/namespaces/mesh/serviceaccounts/waylay-control", "/api/v1/namespaces/mesh/serviceaccounts/waylay-webhook",
             "/apis/rbac.authorization.k8s.io/v1/clusterroles/waylay-control", "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/waylay-control",
             "/api/v1/namespaces/mesh/secrets/waylay-webhook-certs", "/api/v1/namespaces/mesh/configmaps/waylay-injection-values",
             "/api/v1/namespaces/mesh/services/waylay-control", "/api/v1/namespaces/mesh/services/waylay-webhook",
             "/apis/apps/v1/namespaces/mesh/deployments/waylay-control", "/apis/apps/v1/namespaces/mesh/deployments/waylay-webhook",
             "/apis/policy/v1/namespaces/mesh/poddisruptionbudgets/waylay-control", "/apis/policy/v1/namespaces/mesh/poddisruptionbudgets/waylay-webhook",
             "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/waylay-sidecar-injector"],
            applies.Select(r => r.Path));
        foreach (var line in applies.Select(r => r.Path))
        {
            Assert.Contains(line.Split('/')[^1], first.StandardOutput, StringComparison.Ordinal);
        }

        // Again: the same objects, the certificate kept (a new CA would break admission until the pods saw the new Secret).
        var stored = server.Store.Objects;
        var again = await InstallAsync(server);
        Assert.True(again.Succeeded, again.Diagnostic);
        var second = server.Requests.Skip(requests.Count).Where(r => r.Method == "PATCH").ToList();
        Assert.Equal(applies.Select(r => r.Path), second.Select(r => r.Path));
        Assert.Equal(applies.Select(r => r.Body), second.Select(r => r.Body));
        Assert.Equal(stored.Keys.Order(), server.Store.Objects.Keys.Order());
    }

    [Fact]
    public async Task Apply_RefusedMidway_NamesWhatWasAppliedAndTheUninstallThatRemovesIt()
    {
        await using var server = (await RecordedKubeApiServer.StartAsync()).AcceptWrites();
        server.Refuse("PATCH", $"/apis/apps/v1/namespaces/{Ns}/deployments/waylay-webhook", 403, "Forbidden");

        var result = await InstallAsync(server);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"install: applying Deployment {Ns}/waylay-webhook failed: 403 Forbidden: PATCH", result.StandardError, StringComparison.Ordinal);
        Assert.Contains($"applied before it: Namespace {Ns}, ServiceAccount {Ns}/waylay-control,", result.StandardError, StringComparison.Ordinal);
        Assert.Contains($"Deployment {Ns}/waylay-control; remove them with: waylay uninstall --namespace {Ns} --kubeconfig {server.KubeconfigPath}", result.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain(server.Requests, r => r.Path.Contains("mutatingwebhookconfigurations", StringComparison.Ordinal));

        // The named undo removes all of it.
        var undo = await WaylayCli.RunAsync("uninstall", "--namespace", Ns, "--kubeconfig", server.KubeconfigPath);
        Assert.True(undo.Succeeded, undo.Diagnostic);
        Assert.Empty(server.Store.Objects);
    }

    [Fact]
    public async Task Apply_WebhookNeverAvailable_RegistersNoWebhook_AndSaysWhy()
    {
        await using var server = (await RecordedKubeApiServer.StartAsync()).AcceptWrites();
        server.Store.DeploymentsBecomeAvailable = false;

        var result = await InstallAsync(server, "--timeout", "1s");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"install: Deployment {Ns}/waylay-webhook had no available replica after 1s", result.StandardError, StringComparison.Ordinal);
        Assert.Contains($"the webhook configuration was not applied, so no pod creation is refused by it; applied: Namespace {Ns},", result.StandardError, StringComparison.Ordinal);
        Assert.Contains($"remove them with: waylay uninstall --namespace {Ns}", result.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain(server.Requests, r => r.Path.Contains("mutatingwebhookconfigurations", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Uninstall_DeletesByLabel_WebhookConfigurationFirst_AndLeavesWhatInstallDidNotMake()
    {
        await using var server = (await RecordedKubeApiServer.StartAsync()).AcceptWrites();
        Assert.True((await InstallAsync(server)).Succeeded);
        // A user's namespace labelled for injection, and a user's Deployment beside the install's.
        server.Store.Put("/api/v1/namespaces/shop", Object("v1", "Namespace", "shop", null, new() { ["waylay-injection"] = "enabled" }));
        server.Store.Put($"/apis/apps/v1/namespaces/{Ns}/deployments/user-app", Object("apps/v1", "Deployment", "user-app", Ns, new() { ["app"] = "user-app" }));
        var before = server.Requests.Count;

        var dry = await WaylayCli.RunAsync("uninstall", "--namespace", Ns, "--kubeconfig", server.KubeconfigPath, "--dry-run");
        Assert.True(dry.Succeeded, dry.Diagnostic);
        Assert.Contains("would delete MutatingWebhookConfiguration waylay-sidecar-injector", dry.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain(server.Requests.Skip(before), r => r.Method == "DELETE");
        Assert.Equal(16, server.Store.Objects.Count);

        var result = await WaylayCli.RunAsync("uninstall", "--namespace", Ns, "--kubeconfig", server.KubeconfigPath);

        Assert.True(result.Succeeded, result.Diagnostic);
        Assert.Equal(["/api/v1/namespaces/shop", $"/apis/apps/v1/namespaces/{Ns}/deployments/user-app"], server.Store.Objects.Keys.Order());
        var deletes = server.Requests.Where(r => r.Method == "DELETE").Select(r => r.Path).ToList();
        Assert.Equal(14, deletes.Count);
        Assert.EndsWith("/mutatingwebhookconfigurations/waylay-sidecar-injector", deletes[0], StringComparison.Ordinal);
        Assert.Equal($"/api/v1/namespaces/{Ns}", deletes[^1]);
        // Every list asked for this install's objects only.
        Assert.All(server.Requests.Where(r => r.Method == "GET" && r.Query.ContainsKey("labelSelector")),
            r => Assert.Equal($"app.kubernetes.io/managed-by=waylay,install.waylay.io/namespace={Ns}", r.Query["labelSelector"]));

        var nothing = await WaylayCli.RunAsync("uninstall", "--namespace", Ns, "--kubeconfig", server.KubeconfigPath);
        Assert.True(nothing.Succeeded, nothing.Diagnostic);
        Assert.Contains("nothing to remove", nothing.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Apply_IntoAnExistingUserNamespace_NeitherRelabelsNorDeletesIt()
    {
        await using var server = (await RecordedKubeApiServer.StartAsync()).AcceptWrites();
        server.Store.Put($"/api/v1/namespaces/{Ns}", Object("v1", "Namespace", Ns, null, new() { ["team"] = "platform" }));

        var result = await InstallAsync(server);

        Assert.True(result.Succeeded, result.Diagnostic);
        Assert.Contains($"kept Namespace {Ns}", result.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain(server.Requests, r => r.Method == "PATCH" && r.Path == $"/api/v1/namespaces/{Ns}");
        Assert.True((await WaylayCli.RunAsync("uninstall", "--namespace", Ns, "--kubeconfig", server.KubeconfigPath)).Succeeded);
        Assert.Equal([$"/api/v1/namespaces/{Ns}"], server.Store.Objects.Keys);
        Assert.Equal("platform", server.Store.Objects.Single().Value["metadata"]!["labels"]!["team"]!.GetValue<string>());
    }

    [Fact]
    public async Task CertManager_AppliesItsResources_AndWithoutItsApiSaysToInstallItFirst()
    {
        await using var without = (await RecordedKubeApiServer.StartAsync()).AcceptWrites();
        var refused = await InstallAsync(without, "--cert-manager");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains($"applying Issuer {Ns}/waylay-selfsigned failed: 404 NotFound", refused.StandardError, StringComparison.Ordinal);
        Assert.Contains("cert-manager is not installed: install it first, or run without --cert-manager", refused.StandardError, StringComparison.Ordinal);

        await using var server = (await RecordedKubeApiServer.StartAsync()).AcceptWrites();
        server.Store.Serve("cert-manager.io");
        var result = await InstallAsync(server, "--cert-manager");
        Assert.True(result.Succeeded, result.Diagnostic);
        Assert.Equal(
            [$"/apis/cert-manager.io/v1/namespaces/{Ns}/issuers/waylay-selfsigned", $"/apis/cert-manager.io/v1/namespaces/{Ns}/issuers/waylay-webhook-ca",
             $"/apis/cert-manager.io/v1/namespaces/{Ns}/certificates/waylay-webhook-ca", $"/apis/cert-manager.io/v1/namespaces/{Ns}/certificates/waylay-webhook"],
            server.Requests.Where(r => r.Method == "PATCH" && r.Path.StartsWith("/apis/cert-manager.io/", StringComparison.Ordinal)).Select(r => r.Path));
        Assert.DoesNotContain(server.Requests, r => r.Path.Contains("/secrets/", StringComparison.Ordinal)); // cert-manager's to write

        Assert.True((await WaylayCli.RunAsync("uninstall", "--namespace", Ns, "--kubeconfig", server.KubeconfigPath)).Succeeded);
        Assert.Empty(server.Store.Objects);
    }

    [Fact]
    public async Task SwitchingAwayFromCertManager_RemovesItsResources_AndBackKeepsTheSecretsItWrites()
    {
        await using var server = (await RecordedKubeApiServer.StartAsync()).AcceptWrites();
        server.Store.Serve("cert-manager.io");
        Assert.True((await InstallAsync(server, "--cert-manager")).Succeeded);
        // What cert-manager would write, labelled through the Certificates' secretTemplate.
        var caSecret = $"/api/v1/namespaces/{Ns}/secrets/waylay-webhook-ca";
        server.Store.Put(caSecret, Object("v1", "Secret", "waylay-webhook-ca", Ns, new()
        {
            ["app.kubernetes.io/managed-by"] = "waylay", ["app.kubernetes.io/part-of"] = "waylay", ["install.waylay.io/namespace"] = Ns,
        }));

        var again = await InstallAsync(server, "--cert-manager");
        Assert.True(again.Succeeded, again.Diagnostic);
        Assert.DoesNotContain(server.Requests, r => r.Method == "DELETE");

        var generated = await InstallAsync(server);

        Assert.True(generated.Succeeded, generated.Diagnostic);
        Assert.Contains($"removed Issuer {Ns}/waylay-selfsigned (no longer installed)", generated.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain(server.Store.Objects.Keys, k => k.StartsWith("/apis/cert-manager.io/", StringComparison.Ordinal) || k == caSecret);
        Assert.Contains($"/api/v1/namespaces/{Ns}/secrets/waylay-webhook-certs", server.Store.Objects.Keys);
        var configuration = server.Store.Objects["/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/waylay-sidecar-injector"];
        Assert.Null(configuration["metadata"]!["annotations"]);
        Assert.NotNull(configuration["webhooks"]![0]!["clientConfig"]!["caBundle"]);
    }

    private static Task<ExecResult> InstallAsync(RecordedKubeApiServer server, params string[] more) =>
        WaylayCli.RunAsync(["install", "--apply", "--namespace", Ns, "--kubeconfig", server.KubeconfigPath, .. more]);

    private static JsonObject Object(string apiVersion, string kind, string name, string? ns, Dictionary<string, string> labels)
    {
        var metadata = new JsonObject { ["name"] = name, ["labels"] = new JsonObject([.. labels.Select(l => KeyValuePair.Create(l.Key, (JsonNode?)l.Value))]) };
        if (ns is not null)
        {
            metadata["namespace"] = ns;
        }

        return new JsonObject { ["apiVersion"] = apiVersion, ["kind"] = kind, ["metadata"] = metadata };
    }
}
