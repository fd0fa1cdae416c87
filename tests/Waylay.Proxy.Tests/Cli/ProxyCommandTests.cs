using Waylay.Linux;
using Waylay.TestKit;
using Xunit;

namespace Waylay.Proxy.Tests.Cli;

/// <summary>
/// `waylay proxy` as a user types it: bad input is refused with the flag, the problem and the fix, exit 2, no stack
/// trace; help names each value as it is written. Both front doors run the same cases: the CLI's JIT build and the
/// NativeAOT sidecar (WAYLAY_PROXY_BINARY). Cases run inside a namespace, so a value wrongly accepted starts a proxy there,
/// not on the host.
/// </summary>
public sealed class ProxyCommandTests
{
    /// <summary>(arguments after `proxy`, a piece of the message); each must exit 2.</summary>
    public static readonly TheoryData<string[], string> BadInput = new()
    {
        { ["--drain-duration", "10"], "--drain-duration: '10' has no unit; write e.g. 10s" },
        { ["--drain-duration", "0s"], "--drain-duration: '0s' is not longer than zero; write e.g. 250ms" },
        { ["--idle-timeout", "99999999999999h"], "--idle-timeout: '99999999999999h' is too long" },
        { ["--connectTimeout", "ten"], "--connect-timeout: 'ten' is not a duration" },
        { ["--inbound-to", "pod"], "--inbound-to: 'pod' is not accepted; use one of loopback|pod-ip" },
        { ["--log-level", "loud"], "--log-level: 'loud' is not accepted; use one of trace|debug|info|warn|error|critical|off" },
        { ["--access-log-format", "xml"], "--access-log-format: 'xml' is not accepted; use one of text|json" },
        { ["--proxyAdminPort", "70000"], "--admin-port: '70000' is not a port; use a number from 1 to 65535" },
        { ["--health-port", "0"], "--health-port: '0' is not a port" },
        { ["--metrics-port", "http"], "--metrics-port: 'http' is not a port" },
        { ["--zipkinAddress", "zipkin.istio-system"], "--zipkinAddress 'zipkin.istio-system' is not host:port: write it like zipkin.istio-system:9411" },
        { ["--zipkinAddress", "bad host:9411"], "--zipkinAddress 'bad host:9411' is not host:port" },
        { ["--zipkin-address", "http://zipkin:9411/api"], "is not host:port" },
        { ["--trace-sampling", "NaN"], "--trace-sampling: 'NaN' is not a percentage; give a number from 0 to 100" },
        { ["--trace-sampling", "101"], "--trace-sampling: '101' is not a percentage" },
        { ["--concurrency", "-3"], "--concurrency: '-3' is not a thread count; give 1 to 256, or 0 for one per core" },
        { ["--concurrency", "many"], "--concurrency: 'many' is not a thread count" },
        { ["--proxy-uid", "-1"], "--proxy-uid: '-1' is not a uid" },
        { ["--instance-ip", "1.2.3"], "--instance-ip: '1.2.3' is not an IP address; write it like 10.244.1.5" },
        { ["--instance-ip", "10.0.0.256"], "--instance-ip: '10.0.0.256' is not an IP address" },
        { ["--frobnicate"], "Unrecognized command or argument '--frobnicate'" },
        { ["@/tmp"], "Unrecognized command or argument '@/tmp'" },
        { ["--inbound-to", ""], "--inbound-to: '' is not accepted" },
        { ["--config", "/nonexistent/mesh.yaml"], "--config: '/nonexistent/mesh.yaml' does not exist" },
        { ["--config", "/tmp"], "--config: '/tmp' is a directory, not a file" },
        { ["--rules", "/nonexistent/rules.yaml"], "--rules: '/nonexistent/rules.yaml' does not exist" },
        { ["--access-log-file", "/nonexistent/access.log"], "--access-log-file: '/nonexistent/access.log' is a directory or in a directory that does not exist" },
        { ["--access-log-file", "/tmp"], "--access-log-file: '/tmp' is a directory" },
        { ["--drainDuration", "90s", "--parentShutdownDuration", "1m0s"], "--parent-shutdown-duration (1m0s) is shorter than --drain-duration (1m30s)" },
        { ["--outbound-port", "15021"], "--health-port and --outbound-port are both 15021" },
        { ["wait-ready", "--timeout", "0s"], "--timeout: '0s' is not longer than zero" },
        { ["wait-ready", "--admin-port", "-1"], "--admin-port: '-1' is not a port" },
    };

    [NetnsTheory]
    [MemberData(nameof(BadInput))]
    public async Task BadInput_ExitsTwo_NamingTheFlagAndTheFix(string[] arguments, string message)
    {
        await using var ns = await TestNamespace.CreateAsync();
        WaylayCli.AssertRefused(await ns.RunAsync([WaylayCli.Path, "proxy", .. arguments]), 2, message);
    }

    [NativeSidecarFact]
    public async Task BadInput_TheNativeSidecarRefusesTheSameWay()
    {
        await using var ns = await TestNamespace.CreateAsync();
        foreach (var row in BadInput)
        {
            var (arguments, message) = ((string[])row[0], (string)row[1]);
            WaylayCli.AssertRefused(await ns.RunAsync([TestProxy.NativeSidecarPath!, "proxy", .. arguments]), 2, message);
        }
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
    public async Task Help_ShowsEachDefaultOnce_AsTheUserWritesIt() => AssertHelp(await WaylayCli.RunAsync("proxy", "--help"));

    [NativeSidecarFact]
    public async Task Help_OfTheNativeSidecar_IsTheSame() => AssertHelp(await Exec.RunAsync(TestProxy.NativeSidecarPath!, "proxy", "--help"));

    [Fact]
    public async Task LogLevel_AcceptsEnvoysAndIstiosNames_InAnyCase()
    {
        // Each name is accepted (no --log-level error) while --concurrency -3 keeps the proxy from starting.
        foreach (var name in new[] { "trace", "debug", "info", "information", "warn", "warning", "error", "critical", "off", "WARN", "Debug" })
        {
            var result = await WaylayCli.RunAsync("proxy", "--log-level", name, "--concurrency", "-3");
            WaylayCli.AssertRefused(result, 2, "--concurrency");
            Assert.DoesNotContain("--log-level", result.StandardError);
        }
    }

    [Fact]
    public async Task EmptyZipkinAddress_IsAccepted_AsTracingOff()
    {
        // Istio's empty --zipkinAddress turns tracing off; --concurrency -3 keeps the proxy from starting.
        var result = await WaylayCli.RunAsync("proxy", "--zipkinAddress", "", "--concurrency", "-3");
        WaylayCli.AssertRefused(result, 2, "--concurrency");
        Assert.DoesNotContain("zipkin", result.StandardError, StringComparison.OrdinalIgnoreCase);
    }

    [NetnsFact]
    public async Task LogLevel_Warn_LeavesOutTheInformationLines()
    {
        await using var ns = await TestNamespace.CreateAsync();
        var quiet = await TestProxy.StartAsync(ns, "--log-level", "warn");
        await quiet.SignalAsync("TERM");
        Assert.True(await quiet.WaitForExitAsync(TimeSpan.FromSeconds(60)), quiet.Output);
        var chatty = await TestProxy.StartAsync(ns, "--log-level", "info");
        await chatty.SignalAsync("TERM");
        Assert.True(await chatty.WaitForExitAsync(TimeSpan.FromSeconds(60)), chatty.Output);

        Assert.Contains(" info: ", chatty.Output);
        Assert.DoesNotContain(" info: ", quiet.Output);
    }

    [NetnsFact]
    public async Task PortTaken_ExitsOne_NamingTheFlag()
    {
        // Good input the world refuses is a failure (1), not a usage error (2): a second proxy finds the ports held.
        await using var ns = await TestNamespace.CreateAsync();
        await TestProxy.StartAsync(ns);
        WaylayCli.AssertRefused(await ns.RunAsync(TestProxy.BinaryPath, "proxy", "--log-level", "off"), 1, "(--outbound-port): Address already in use");
    }

    private static void AssertHelp(ExecResult help)
    {
        Assert.True(help.Succeeded, help.Diagnostic);
        var text = help.StandardOutput;
        Assert.Contains("--protocol-detection-timeout <duration>", text);
        Assert.Contains("[default: 100ms]", text);
        Assert.Contains("[default: 45s]", text);
        Assert.Contains("[default: 1m0s]", text);
        Assert.Contains("[default: 1h0m0s]", text);
        Assert.Contains("--inbound-to <loopback|pod-ip>", text);
        Assert.Contains("[default: loopback]", text);
        Assert.Contains("--log-level <trace|debug|info|warn|error|critical|off>", text);
        Assert.Contains("--access-log-format <text|json>", text);
        Assert.Contains("--admin-port, --proxyAdminPort <port>", text);
        Assert.DoesNotContain("00:0", text);
        foreach (var line in text.Split('\n'))
        {
            // One default per flag, printed by the parser: none repeated in the description.
            Assert.True(line.Split("default", StringSplitOptions.None).Length <= 2, line);
        }
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
