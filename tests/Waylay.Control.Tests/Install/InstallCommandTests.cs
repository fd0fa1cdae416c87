using Waylay.TestKit;

namespace Waylay.Control.Tests.Install;

/// <summary>
/// The CLI contract for refused input (README "Exit codes") on <c>waylay install</c> and <c>waylay uninstall</c>:
/// exit 2, the flag and the fix on stderr, nothing printed or sent; an unreachable cluster is a failure (1).
/// </summary>
public sealed class InstallCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("wl-install-").FullName;

    public static TheoryData<string, string[], string> Refused => new()
    {
        { "install namespace", ["install", "--namespace", "Bad_NS"], "--namespace: 'Bad_NS' is not a Kubernetes name; use 1 to 63 lowercase letters" },
        { "uninstall namespace", ["uninstall", "--namespace", "-mesh"], "--namespace: '-mesh' is not a Kubernetes name" },
        { "image", ["install", "--image", "Docker.io/Waylay Image"], "--image: 'Docker.io/Waylay Image' is not an image reference; write it like registry.example.com/waylay/waylay:1.0" },
        { "kubeconfig missing", ["install", "--apply", "--kubeconfig", "/nonexistent/wl-kubeconfig"], "--kubeconfig /nonexistent/wl-kubeconfig: the file does not exist; pass the path of a kubeconfig" },
        { "kubeconfig not YAML", ["install", "--apply", "--kubeconfig", "{dir}/garbage"], "--kubeconfig {dir}/garbage: " },
        { "kubeconfig without a context", ["uninstall", "--kubeconfig", "{dir}/empty"], "--kubeconfig {dir}/empty: " },
        { "kubeconfig without --apply", ["install", "--kubeconfig", "{dir}/empty"], "install: --kubeconfig is only used with --apply" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task BadInput_IsAUsageError_NamingTheFlagAndTheFix(string name, string[] arguments, string message)
    {
        _ = name;
        await File.WriteAllTextAsync(Path.Combine(_directory, "garbage"), "clusters: [unclosed\n  - {\n");
        await File.WriteAllTextAsync(Path.Combine(_directory, "empty"), "apiVersion: v1\nkind: Config\n");
        var result = await WaylayCli.RunAsync([.. arguments.Select(a => a.Replace("{dir}", _directory, StringComparison.Ordinal))]);
        WaylayCli.AssertRefused(result, 2, message.Replace("{dir}", _directory, StringComparison.Ordinal));
    }

    [Fact]
    public async Task UnreachableCluster_IsAFailure_AndNothingWasApplied()
    {
        var kubeconfig = Path.Combine(_directory, "unreachable");
        await File.WriteAllTextAsync(kubeconfig, """
            apiVersion: v1
            kind: Config
            clusters:
            - name: closed
              cluster:
                server: https://127.0.0.1:1
                insecure-skip-tls-verify: true
            users:
            - name: wl-test
              user:
                token: wl-test-token
            contexts:
            - name: closed
              context:
                cluster: closed
                user: wl-test
            current-context: closed
            """);

        var result = await WaylayCli.RunAsync("install", "--apply", "--kubeconfig", kubeconfig);

        WaylayCli.AssertRefused(result, 1, "install: reading Namespace waylay-system failed: the API server cannot be reached");
        Assert.Contains("nothing was applied", result.StandardError, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
