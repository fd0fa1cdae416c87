using System.Text.Json.Nodes;
using k8s.Models;
using Waylay.Capture.Options;
using Waylay.Inject.Annotations;
using Waylay.Inject.Probes;
using Waylay.Inject.Template;
using Waylay.Inject.Values;

namespace Waylay.Inject;

/// <summary>
/// The one core both front doors call (<c>waylay inject</c> and the webhook): decides whether a pod gets a
/// sidecar and, if so, returns the injected pod. Istio's <c>injectPod</c>, minus its bare bool.
/// <code>
/// :: Step 1  read the pod into the typed model (invalid → Rejected)
/// :: Step 2  skips: hostNetwork, system namespace, opt-out (label wins over annotation), already injected
/// :: Step 3  --force: remove exactly what the old status says was added, restore rewritten probes
/// :: Step 4  the pod's customizations of the sidecar: its overrides annotation, and containers named
///            waylay-proxy/istio-proxy, waylay-init/istio-init (taken out of the pod);
///            annotations over values → PodOptions (invalid → Rejected, every error at once)
/// :: Step 5  rewrite probes (app containers and native sidecars), render the template, merge the customizations
///            over it, place containers and volumes, write the annotations (overrides, Prometheus scrape, status)
/// </code>
/// </summary>
internal static class Injector
{
    private static readonly string[] SystemNamespaces = ["kube-system", "kube-public", "kube-node-lease"];

    public static InjectionResult Inject(JsonObject pod, InjectionContext context)
    {
        var warnings = new List<string>();

        // :: Step 1
        if (PodModel.TryRead(pod, out var error) is not { } typed)
        {
            return new InjectionResult(InjectionDecision.Rejected, $"pod {error}", pod, warnings);
        }

        if (typed.Spec?.Containers is not { Count: > 0 })
        {
            return new InjectionResult(InjectionDecision.Rejected, "the pod has no containers (spec.containers is empty); a pod needs at least one.", pod, warnings);
        }

        // :: Step 2
        if (Skip(typed, context, warnings) is { } skipped)
        {
            return new InjectionResult(skipped.Decision, skipped.Reason, pod, warnings);
        }

        var result = (JsonObject)pod.DeepClone();
        var reinjected = false;
        if (AnnotationNames.Status.Find(typed.Metadata?.Annotations) is { } status)
        {
            // :: Step 3
            if (SidecarStatus.TryParse(status.Value, out var statusError) is not { } old)
            {
                return new InjectionResult(InjectionDecision.Rejected, $"annotation {status.Name} is not a sidecar status ({statusError}); remove it and the sidecar it describes, then inject again.", pod, warnings);
            }

            Uninjection.Remove(result, old);
            reinjected = true;
        }

        // :: Step 4
        var errors = new List<string>();
        var spec = (JsonObject)result["spec"]!;
        var overrides = SidecarOverrides.Extract(result, errors, warnings);
        if (spec["containers"] is not JsonArray { Count: > 0 } containers)
        {
            return new InjectionResult(InjectionDecision.Rejected, "the pod has no containers besides its customization of the sidecar; a pod needs at least one app container.", pod, warnings);
        }

        typed = PodModel.TryRead(result, out _)!;
        var options = PodOptionsReader.Read(typed, context.Values, errors, warnings);
        CheckNames(typed, errors);
        if (errors.Count > 0)
        {
            return new InjectionResult(InjectionDecision.Rejected, "invalid injection settings:\n  " + string.Join("\n  ", errors), pod, warnings);
        }

        // :: Step 5
        var firstApp = containers[0]!["name"]!.GetValue<string>();
        var probers = options.RewriteAppProbers ? AppProbes.Rewrite(spec, options.NativeSidecar, context.Values.Ports.Health, warnings) : null;
        var inputs = new SidecarInputs(options, ServiceCluster(typed, context), ServiceAccount(typed), probers);
        var parts = Customize(SidecarTemplate.Render(inputs, ProxyIdentity(overrides, options, context.Values)), overrides, options, warnings)
            with { Version = SidecarTemplate.Version(context.Values) };
        var added = Place(spec, parts, options);

        var annotations = Annotations(result);
        if (!annotations.ContainsKey(AnnotationNames.DefaultContainer))
        {
            annotations[AnnotationNames.DefaultContainer] = firstApp;
        }

        if (overrides.TookContainers)
        {
            annotations[AnnotationNames.Overrides.Waylay] = overrides.ToJson();
        }

        if (options.PrometheusScrapeAnnotations)
        {
            PrometheusScrape.Add(annotations, context.Values.Ports.Metrics);
        }

        annotations[AnnotationNames.Status.Waylay] = added.ToJson();
        return reinjected
            ? new InjectionResult(InjectionDecision.Reinjected, "re-injected: the previous sidecar was replaced by the current template", result, warnings)
            : new InjectionResult(InjectionDecision.Injected, "injected", result, warnings);
    }

    /// <summary>
    /// A customized proxy that runs as another uid (securityContext.runAsUser) must be the uid capture leaves alone:
    /// the template is rendered for that uid, so <c>-u</c> and <c>--proxy-uid</c> follow it (Istio's
    /// adjustInitContainerUser). Not under TPROXY, where the proxy runs as root and capture knows it by its gid.
    /// </summary>
    private static InjectionValues ProxyIdentity(SidecarOverrides overrides, PodOptions options, InjectionValues values) =>
        RunAsUser(overrides.Proxy) is { } uid and not 0 && options.InterceptionMode != InterceptionMode.Tproxy
            ? values with { ProxyUid = uid, ProxyGid = uid }
            : values;

    /// <summary>Merges the pod's own waylay-proxy/istio-proxy and waylay-init/istio-init over what the template rendered.</summary>
    private static SidecarParts Customize(SidecarParts parts, SidecarOverrides overrides, PodOptions options, List<string> warnings)
    {
        if (overrides.IsEmpty)
        {
            return parts;
        }

        var proxy = parts.ProxyContainer;
        if (overrides.Proxy is { } customProxy)
        {
            proxy = ContainerOverlay.Apply(proxy, customProxy);
            if (options.InterceptionMode == InterceptionMode.Tproxy && RunAsUser(customProxy) is { } uid and not 0)
            {
                // Istio too: under TPROXY the proxy needs IP_TRANSPARENT, so root, whatever the customization says.
                proxy["securityContext"]!["runAsUser"] = 0;
                warnings.Add($"container '{customProxy["name"]}': securityContext.runAsUser {uid} is not used: in TPROXY mode the proxy runs as root (uid 0).");
            }
        }

        var init = overrides.Init is { } customInit ? ContainerOverlay.Apply(parts.InitContainer, customInit) : parts.InitContainer;
        return parts with { ProxyContainer = proxy, InitContainer = init };
    }

    private static long? RunAsUser(JsonObject? container) =>
        container?["securityContext"]?["runAsUser"] is JsonValue value && value.TryGetValue<long>(out var uid) ? uid : null;

    private static (InjectionDecision Decision, string Reason)? Skip(V1PodTemplateSpec pod, InjectionContext context, List<string> warnings)
    {
        if (pod.Spec.HostNetwork == true)
        {
            var reason = "skipped: hostNetwork: the pod shares the node's network namespace, and capture rules there would redirect the node's own traffic";
            warnings.Add(reason);
            return (InjectionDecision.SkippedHostNetwork, reason);
        }

        var ns = context.Namespace ?? pod.Metadata?.NamespaceProperty;
        if (ns is not null && SystemNamespaces.Contains(ns, StringComparer.Ordinal))
        {
            return (InjectionDecision.SkippedSystemNamespace, $"skipped: namespace {ns} is never injected (the cluster's own components run there)");
        }

        // Istio: the label, when present, decides; the annotation only when there is no label.
        var optOut = AnnotationNames.Inject.Find(pod.Metadata?.Labels) is { } label ? (Where: "label", label.Name, label.Value)
            : AnnotationNames.Inject.Find(pod.Metadata?.Annotations) is { } annotation ? (Where: "annotation", annotation.Name, annotation.Value)
            : default((string Where, string Name, string Value)?);
        if (optOut is { } o)
        {
            switch (o.Value.Trim().ToLowerInvariant())
            {
                case "false" or "n" or "no" or "off":
                    return (InjectionDecision.SkippedOptOut, $"skipped: {o.Where} {o.Name}: \"{o.Value}\" opts the pod out");
                case "true" or "y" or "yes" or "on":
                    break;
                default:
                    warnings.Add($"{o.Where} {o.Name}: '{o.Value}' is neither true nor false; injecting as if it were unset.");
                    break;
            }
        }

        if (!context.Force && AnnotationNames.Status.Find(pod.Metadata?.Annotations) is { } status)
        {
            return (InjectionDecision.SkippedAlreadyInjected, $"skipped: already injected ({status.Name} is set); use --force to replace the sidecar with the current template");
        }

        return null;
    }

    /// <summary>
    /// A volume of the app with one of the names injection adds would be silently replaced: refuse instead.
    /// (Containers with the sidecar's names are customizations, taken out before this: Template/SidecarOverrides.cs.)
    /// </summary>
    private static void CheckNames(V1PodTemplateSpec pod, List<string> errors)
    {
        foreach (var volume in pod.Spec.Volumes ?? [])
        {
            if (volume.Name is SidecarNames.ConfigVolume or SidecarNames.CertsVolume)
            {
                errors.Add($"volume '{volume.Name}': the name is reserved for the injected sidecar; rename the volume.");
            }
        }
    }

    /// <summary>
    /// Classic: <c>waylay-init</c> last among init containers (Istio: app init containers run before capture, so
    /// their traffic passes), the proxy last among containers, or first to hold the app until it is ready.
    /// Native: <c>waylay-init</c> then the proxy first among init containers, so app init containers already
    /// have the mesh.
    /// </summary>
    private static SidecarStatus Place(JsonObject spec, SidecarParts parts, PodOptions options)
    {
        var initContainers = List(spec, "initContainers");
        var containers = List(spec, "containers");
        List<string> addedInit = [SidecarNames.InitContainer];
        List<string> addedContainers = [];
        if (options.NativeSidecar)
        {
            initContainers.Insert(0, parts.InitContainer);
            initContainers.Insert(1, parts.ProxyContainer);
            addedInit.Add(SidecarNames.ProxyContainer);
        }
        else
        {
            initContainers.Add((JsonNode)parts.InitContainer);
            if (options.HoldApplicationUntilProxyStarts)
            {
                containers.Insert(0, parts.ProxyContainer);
            }
            else
            {
                containers.Add((JsonNode)parts.ProxyContainer);
            }

            addedContainers.Add(SidecarNames.ProxyContainer);
        }

        var volumes = List(spec, "volumes");
        foreach (var volume in parts.Volumes)
        {
            volumes.Add((JsonNode)volume);
        }

        List<string>? addedSecrets = null;
        if (parts.ImagePullSecrets.Count > 0)
        {
            var secrets = List(spec, "imagePullSecrets");
            var present = secrets.OfType<JsonObject>().Select(s => s["name"]?.GetValue<string>()).ToHashSet(StringComparer.Ordinal);
            addedSecrets = [];
            foreach (var secret in parts.ImagePullSecrets.Where(s => !present.Contains(s)))
            {
                secrets.Add((JsonNode)new JsonObject { ["name"] = secret });
                addedSecrets.Add(secret);
            }
        }

        return new SidecarStatus(parts.Version, addedInit, addedContainers, [.. parts.Volumes.Select(v => v["name"]!.GetValue<string>())], addedSecrets);
    }

    private static string ServiceCluster(V1PodTemplateSpec pod, InjectionContext context)
    {
        var labels = pod.Metadata?.Labels;
        if (labels is not null)
        {
            if (labels.TryGetValue("app", out var app) && app.Length > 0)
            {
                return app;
            }

            if (labels.TryGetValue("app.kubernetes.io/name", out var name) && name.Length > 0)
            {
                return name;
            }
        }

        return context.WorkloadName.Length > 0 ? context.WorkloadName : SidecarNames.ProxyContainer;
    }

    private static string ServiceAccount(V1PodTemplateSpec pod) =>
        pod.Spec.ServiceAccountName is { Length: > 0 } name ? name
        : pod.Spec.ServiceAccount is { Length: > 0 } legacy ? legacy
        : "default";

    private static JsonObject Annotations(JsonObject pod)
    {
        if (pod["metadata"] is not JsonObject metadata)
        {
            metadata = new JsonObject();
            pod.Insert(0, "metadata", metadata);
        }

        if (metadata["annotations"] is not JsonObject annotations)
        {
            annotations = new JsonObject();
            metadata["annotations"] = annotations;
        }

        return annotations;
    }

    private static JsonArray List(JsonObject spec, string key)
    {
        if (spec[key] is not JsonArray list)
        {
            list = new JsonArray();
            spec[key] = list;
        }

        return list;
    }
}
