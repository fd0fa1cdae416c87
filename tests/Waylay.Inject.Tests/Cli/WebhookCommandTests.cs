using System.Net;
using Waylay.TestKit;
using Xunit;

namespace Waylay.Inject.Tests.Cli;

/// <summary>
/// `waylay webhook`, `webhook certs` and `webhook manifests` through the real binary: a bad flag or a file named on the
/// command line that is missing, a directory or not what it should be exits 2 with the fix, no stack trace. The cases
/// run in a namespace of their own: one wrongly accepted starts a webhook there, not on the host.
/// </summary>
public sealed class WebhookCommandTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateDirectory($"/tmp/{RunId.Next("webhook-cli")}").FullName;

    public static TheoryData<string, string[], string> BadInput => new()
    {
        { "no --cert", ["webhook", "--key", "{dir}/tls.key"], "--cert and --key are required; make a pair with 'waylay webhook certs --out DIR'" },
        { "missing --cert", ["webhook", "--cert", "/nonexistent/tls.crt", "--key", "{dir}/tls.key"], "--cert /nonexistent/tls.crt: no such file; make a pair with" },
        { "--key a directory", ["webhook", "--cert", "{dir}/tls.crt", "--key", "{dir}"], "--key {dir}: is a directory, not a file" },
        { "--cert not PEM", ["webhook", "--cert", "{dir}/bad.yaml", "--key", "{dir}/tls.key"], "not a PEM certificate and its private key" },
        { "--port out of range", ["webhook", "--cert", "{dir}/tls.crt", "--key", "{dir}/tls.key", "--port", "65536"], "--port: '65536' is not a port; use a number from 1 to 65535" },
        { "--port not a number", ["webhook", "--port", "https"], "--port: 'https' is not a port" },
        { "missing --values", ["webhook", "--cert", "{dir}/tls.crt", "--key", "{dir}/tls.key", "--values", "/nonexistent/values.yaml"], "--values /nonexistent/values.yaml: no such file" },
        { "--values not YAML", ["webhook", "--cert", "{dir}/tls.crt", "--key", "{dir}/tls.key", "--values", "{dir}/bad.yaml"], "{dir}/bad.yaml: line 2, column 1:" },
        { "certs without --out", ["webhook", "certs"], "Option '--out' is required" },
        { "certs --days 0", ["webhook", "certs", "--out", "{dir}/new", "--days", "0"], "--days: '0' is not a number of days; give 1 to 36500" },
        { "certs --out under a file", ["webhook", "certs", "--out", "{dir}/bad.yaml/certs"], "--out '{dir}/bad.yaml/certs': cannot write there" },
        { "certs --out empty", ["webhook", "certs", "--out", ""], "--out '': cannot write there" },
        { "certs --service not a name", ["webhook", "certs", "--out", "{dir}/new", "--service", "Bad Name"], "--service: 'Bad Name' is not a Kubernetes name" },
        { "certs --namespace empty", ["webhook", "certs", "--out", "{dir}/new", "--namespace", ""], "--namespace: '' is not a Kubernetes name" },
        { "manifests --namespace not a name", ["webhook", "manifests", "--namespace", "Bad_NS"], "--namespace: 'Bad_NS' is not a Kubernetes name; use 1 to 63 lowercase letters" },
        { "manifests missing --ca-bundle", ["webhook", "manifests", "--ca-bundle", "/nonexistent/ca.crt"], "--ca-bundle /nonexistent/ca.crt: no such file; pass the ca.crt" },
        { "manifests --ca-bundle a directory", ["webhook", "manifests", "--ca-bundle", "{dir}"], "--ca-bundle {dir}: is a directory, not a file" },
        { "manifests --ca-bundle not PEM", ["webhook", "manifests", "--ca-bundle", "{dir}/bad.yaml"], "{dir}/bad.yaml: not a PEM certificate" },
        { "manifests --values not YAML", ["webhook", "manifests", "--values", "{dir}/bad.yaml"], "{dir}/bad.yaml: line 2, column 1:" },
    };

    public async Task InitializeAsync()
    {
        File.WriteAllText(Path.Combine(_directory, "bad.yaml"), "a: [\n");
        var certs = await WaylayCli.RunAsync("webhook", "certs", "--out", _directory);
        Assert.True(certs.Succeeded, certs.Diagnostic);
    }

    [NetnsTheory]
    [MemberData(nameof(BadInput))]
    public async Task BadInput_ExitsTwo_NamingTheProblemAndTheFix(string what, string[] arguments, string message)
    {
        _ = what;
        await using var ns = await TestNamespace.CreateAsync();
        var result = await ns.RunAsync([WaylayCli.Path, .. arguments.Select(a => a.Replace("{dir}", _directory, StringComparison.Ordinal))]);
        WaylayCli.AssertRefused(result, 2, message.Replace("{dir}", _directory, StringComparison.Ordinal));
    }

    [NetnsFact]
    public async Task PortTaken_ExitsOne_WithTheFix_AndNoTrace()
    {
        // Good input the world refuses is a failure (1): the webhook's port is held by another listener.
        await using var ns = await TestNamespace.CreateAsync();
        using var holder = TestServer.Start(ns, new IPEndPoint(IPAddress.IPv6Any, 15017), TestServer.Echo);
        var result = await ns.RunAsync(WaylayCli.Path, "webhook", "--cert", Path.Combine(_directory, "tls.crt"), "--key", Path.Combine(_directory, "tls.key"));
        WaylayCli.AssertRefused(result, 1, "address already in use; free the port or give --port another one");
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }
}
