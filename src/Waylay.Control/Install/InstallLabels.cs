namespace Waylay.Control.Install;

/// <summary>
/// The labels every object <c>waylay install</c> makes carries, and so the selector <c>waylay uninstall</c> deletes by:
/// Kubernetes' recommended <c>app.kubernetes.io/managed-by</c>, and the install's namespace, so uninstalling one
/// namespace's install never touches another's cluster-scoped objects.
/// </summary>
internal static class InstallLabels
{
    public const string ManagedBy = "app.kubernetes.io/managed-by";
    public const string ManagedByValue = "waylay";
    public const string PartOf = "app.kubernetes.io/part-of";
    public const string InstallNamespace = "install.waylay.io/namespace";

    public static Dictionary<string, string> For(string ns) => new(StringComparer.Ordinal)
    {
        [ManagedBy] = ManagedByValue,
        [PartOf] = "waylay",
        [InstallNamespace] = ns,
    };

    /// <summary>The label selector (<c>?labelSelector=</c>) for what an install into <paramref name="ns"/> made.</summary>
    public static string Selector(string ns) => $"{ManagedBy}={ManagedByValue},{InstallNamespace}={ns}";

    public static bool IsInstalled(IDictionary<string, string>? labels, string ns) =>
        labels is not null && labels.TryGetValue(ManagedBy, out var by) && by == ManagedByValue
        && labels.TryGetValue(InstallNamespace, out var installed) && installed == ns;
}
