using Waylay.TestKit;
using Xunit;

namespace Waylay.Proxy.Tests.Cli;

/// <summary>`waylay proxy` as a user types it: bad input is refused with the flag, the problem and the fix.</summary>
public sealed class ProxyCommandTests
{
    [Theory]
    [InlineData(new[] { "--drain-duration", "10" }, "--drain-duration: '10' has no valid unit")]
    [InlineData(new[] { "--inbound-to", "pod" }, "--inbound-to: 'pod' is not a target; use loopback or pod-ip")]
    [InlineData(new[] { "--proxyAdminPort", "70000" }, "is not a port; use a number from 1 to 65535")]
    public async Task MalformedFlag_ExitsTwo_NamingTheFlagAndTheFix(string[] arguments, string message)
    {
        var result = await WaylayCli.RunAsync(["proxy", .. arguments]);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.StandardError);
    }

    [Theory]
    [InlineData("WAYLAY_KUBE_APP_PROBERS")]
    [InlineData("ISTIO_KUBE_APP_PROBERS")]
    public async Task BadAppProbers_ExitTwo_NamingTheVariable_AsIstiosAgentRefusesToStart(string variable)
    {
        // The shipped sidecar (or the CLI's build of it) with the variable as the injector would have set it, broken.
        var result = await Waylay.Linux.Exec.RunAsync("env", [$"{variable}={{\"/app-health/web/livez\":", TestProxy.BinaryPath, "proxy"]);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"{variable} is not valid JSON", result.StandardError);
    }

    [Fact]
    public async Task InconsistentOptions_AreAllReportedAtOnce()
    {
        var result = await WaylayCli.RunAsync("proxy", "--config", "/nonexistent/mesh.yaml", "--drainDuration", "90s", "--parentShutdownDuration", "1m0s");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--config: '/nonexistent/mesh.yaml' does not exist", result.StandardError);
        Assert.Contains("--parent-shutdown-duration (00:01:00) is shorter than --drain-duration (00:01:30)", result.StandardError);
    }

    [Fact]
    public async Task InvalidMeshFile_ExitsTwo_WithEveryFieldPath()
    {
        var path = Path.Combine(Path.GetTempPath(), $"{RunId.Next("badmesh")}.yaml");
        await File.WriteAllTextAsync(path, "services:\n- name: web\n  addresses: [10.96.0.300]\n  ports: [{port: 0}]\n");
        try
        {
            var result = await WaylayCli.RunAsync("proxy", "--config", path);
            Assert.Equal(2, result.ExitCode);
            Assert.Contains("services[0].addresses[0]", result.StandardError);
            Assert.Contains("services[0].ports[0].port", result.StandardError);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task InvalidRules_ExitTwo_NamingTheFileAndEveryUnsupportedField()
    {
        var path = Path.Combine(Path.GetTempPath(), $"{RunId.Next("badrules")}.yaml");
        await File.WriteAllTextAsync(path, """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: reviews}
            spec:
              hosts: [reviews]
              http:
              - mirror: {host: reviews-shadow}
                route: [{destination: {host: reviews}}]
              - route: [{destination: {host: reviews, port: {number: 0}}}]
            """);
        try
        {
            var result = await WaylayCli.RunAsync("proxy", "--rules", path);
            Assert.Equal(2, result.ExitCode);
            Assert.Contains(path, result.StandardError);
            Assert.Contains("spec.http[0].mirror", result.StandardError);
            Assert.Contains("spec.http[1].route[0].destination.port", result.StandardError);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task MissingRulesFile_ExitsTwo_NamingTheFlag()
    {
        var result = await WaylayCli.RunAsync("proxy", "--rules", "/nonexistent/rules.yaml");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--rules: '/nonexistent/rules.yaml' does not exist", result.StandardError);
    }

    [Fact]
    public async Task NegativeConcurrency_ExitsTwo_SayingWhatIsValid()
    {
        var result = await WaylayCli.RunAsync("proxy", "--concurrency", "-3");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--concurrency: -3 is not a thread count; give 1 to 256, or 0 for one per core", result.StandardError);
    }

    [NetnsFact]
    public async Task WaitReady_WithNoProxy_GivesUpWithAClearMessage()
    {
        await using var ns = await TestNamespace.CreateAsync();
        var result = await ns.RunAsync(TestProxy.BinaryPath, "proxy", "wait-ready", "--timeout", "500ms");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("the proxy was not ready within", result.StandardError);
        Assert.Contains("127.0.0.1:15000", result.StandardError);
    }

    [NetnsFact]
    public async Task WaitReady_ReturnsZero_OnceTheProxyIsReady()
    {
        await using var ns = await TestNamespace.CreateAsync();
        await TestProxy.StartAsync(ns);
        var result = await ns.RunAsync(TestProxy.BinaryPath, "proxy", "wait-ready", "--timeout", "30s");
        Assert.True(result.Succeeded, result.Diagnostic);
    }
}
