using k8s;
using k8s.Models;
using Waylay.Control.Install;
using Waylay.TestKit;

namespace Waylay.Control.Tests.Install;

/// <summary>What <c>waylay install</c> (the real CLI) prints, read back strictly with KubernetesClient's YAML loader.</summary>
internal static class PrintedInstall
{
    /// <summary>cert-manager's kinds, which KubernetesClient has no model for, read into install's own envelope.</summary>
    private static readonly Dictionary<string, Type> CertManagerKinds = new()
    {
        ["cert-manager.io/v1/Issuer"] = typeof(CertManagerObject),
        ["cert-manager.io/v1/Certificate"] = typeof(CertManagerObject),
    };

    public static async Task<IReadOnlyList<IKubernetesObject<V1ObjectMeta>>> RunAsync(params string[] arguments)
    {
        var result = await WaylayCli.RunAsync(["install", .. arguments]);
        Assert.True(result.Succeeded, result.Diagnostic);
        return Load(result.StandardOutput);
    }

    /// <summary>Strict: a field the models do not know (a typo, a wrong nesting) throws instead of being dropped.</summary>
    public static IReadOnlyList<IKubernetesObject<V1ObjectMeta>> Load(string yaml) =>
        [.. KubernetesYaml.LoadAllFromString(yaml, CertManagerKinds, strict: true).Cast<IKubernetesObject<V1ObjectMeta>>()];

    public static T Single<T>(this IEnumerable<IKubernetesObject<V1ObjectMeta>> objects, string name) where T : IKubernetesObject<V1ObjectMeta> =>
        Assert.Single(objects.OfType<T>(), o => o.Metadata.Name == name);
}
