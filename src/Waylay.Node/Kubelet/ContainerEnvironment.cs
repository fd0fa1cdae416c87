using k8s.Models;
using Waylay.Node.Manifests;

namespace Waylay.Node.Kubelet;

/// <summary>
/// A container's environment as the kubelet makes it (<c>kubelet_pods.go makeEnvironmentVariables</c>): the image's
/// env, then <c>envFrom</c> (ConfigMaps and Secrets, with their prefix), then <c>env</c> in order, each value's
/// <c>$(VAR)</c> expanded against what is defined so far; <c>valueFrom</c> reads the downward API
/// (<see cref="PodFacts"/>), ConfigMap and Secret keys from the manifests. A missing ConfigMap, Secret or key is an
/// error unless <c>optional: true</c>.
/// </summary>
internal sealed class ContainerEnvironment(V1Container container, IReadOnlyDictionary<string, string> imageEnvironment, ManifestSet manifests, string ns, string where)
{
    /// <summary>Checks every reference now (no IP needed), so a broken pod fails before anything starts.</summary>
    public void Validate(PodFacts facts) => Build(facts);

    public IReadOnlyDictionary<string, string> Build(PodFacts facts)
    {
        var env = new Dictionary<string, string>(imageEnvironment, StringComparer.Ordinal);
        foreach (var from in container.EnvFrom ?? [])
        {
            var prefix = from.Prefix ?? "";
            IReadOnlyDictionary<string, string>? data = from.ConfigMapRef is { } cm
                ? Required(manifests.ConfigMap(ns, cm.Name), cm.Optional, $"ConfigMap {cm.Name}")
                : from.SecretRef is { } s ? Required(manifests.Secret(ns, s.Name), s.Optional, $"Secret {s.Name}") : null;
            foreach (var (key, value) in data ?? new Dictionary<string, string>())
            {
                env[prefix + key] = value;
            }
        }

        foreach (var variable in container.Env ?? [])
        {
            env[variable.Name] = variable.ValueFrom is { } source
                ? ValueFrom(variable.Name, source, facts)
                : VarExpansion.Expand(variable.Value ?? "", n => env.GetValueOrDefault(n));
        }

        return env;
    }

    private string ValueFrom(string name, V1EnvVarSource source, PodFacts facts)
    {
        if (source.FieldRef is { } field)
        {
            return facts.Field(field.FieldPath, $"{where}: env {name}");
        }

        if (source.ConfigMapKeyRef is { } cm)
        {
            return Key(Required(manifests.ConfigMap(ns, cm.Name), cm.Optional, $"ConfigMap {cm.Name}"), cm.Key, cm.Optional, $"ConfigMap {cm.Name}", name);
        }

        if (source.SecretKeyRef is { } secret)
        {
            return Key(Required(manifests.Secret(ns, secret.Name), secret.Optional, $"Secret {secret.Name}"), secret.Key, secret.Optional, $"Secret {secret.Name}", name);
        }

        throw new PodConversionException($"{where}: env {name}: valueFrom.resourceFieldRef is not supported by waylay up (processes have no resource limits); give a value");
    }

    private string Key(IReadOnlyDictionary<string, string>? data, string key, bool? optional, string what, string name) =>
        data?.GetValueOrDefault(key) ?? (data is null || optional == true
            ? ""
            : throw new PodConversionException($"{where}: env {name}: {what} in namespace {ns} has no key '{key}'; add it to the {what} or mark the reference optional: true"));

    private IReadOnlyDictionary<string, string>? Required(IReadOnlyDictionary<string, string>? data, bool? optional, string what) =>
        data ?? (optional == true
            ? null
            : throw new PodConversionException($"{where}: {what} is not in the manifests (namespace {ns}); add it to the files passed to waylay up or mark the reference optional: true"));
}
