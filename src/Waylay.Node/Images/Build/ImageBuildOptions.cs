namespace Waylay.Node.Images.Build;

/// <summary>
/// What <c>waylay image build</c> makes: the reference written into the archive (the injector's default image, so a
/// loaded archive is what injected pods already ask for), where the archive goes, the NativeAOT sidecar and control
/// plane (waylay-control: `waylay control` and `waylay webhook`) it ships, and
/// the time every file and history entry carries (SOURCE_DATE_EPOCH), which is what makes two builds byte-identical.
/// </summary>
internal sealed record ImageBuildOptions(
    string Reference,
    string Output,
    string ProxyBinary,
    string ControlBinary,
    string WorkDirectory,
    DateTimeOffset SourceDate)
{
    /// <summary>The injector's default (src/Waylay.Inject/Values/InjectionValues.cs): build what pods already name.</summary>
    public static string DefaultReference => new Waylay.Inject.Values.InjectionValues().Image;

    /// <summary>Debian's release the packages come from; the host's apt sources say from where (its local mirror).</summary>
    public string Suite { get; init; } = "bookworm";

    /// <summary>
    /// The packages the init container's capture drives (iptables, nft, ip) and the CA bundle the proxy's TLS reads;
    /// apt adds their dependencies (libc, libssl, …). Nothing else: no shell, no package manager.
    /// </summary>
    public IReadOnlyList<string> Packages { get; init; } = ["iptables", "nftables", "iproute2", "ca-certificates"];

    /// <summary>SOURCE_DATE_EPOCH when set (reproducible-builds.org), else the time of the commit checked out in <paramref name="repository"/>.</summary>
    public static async Task<DateTimeOffset> SourceDateAsync(string repository, CancellationToken cancellationToken) =>
        long.TryParse(Environment.GetEnvironmentVariable("SOURCE_DATE_EPOCH"), out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : await CommitTime.ReadAsync(repository, cancellationToken);
}
