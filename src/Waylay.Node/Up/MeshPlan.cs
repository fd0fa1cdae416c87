using System.Net;
using System.Text.Json.Nodes;
using Waylay.Inject;
using Waylay.Inject.Manifests;
using Waylay.Inject.Values;
using Waylay.Mesh;
using Waylay.Node.Images;
using Waylay.Node.Images.Store;
using Waylay.Node.Kubelet;
using Waylay.Node.Manifests;
using Waylay.Node.Pods;
using Waylay.Node.Processes;
using Waylay.Node.Services;

namespace Waylay.Node.Up;

/// <summary>
/// Everything <c>waylay up</c> will run, checked whole before anything is made (so bad input changes nothing):
/// manifests read and injected, each pod converted for its node (round robin over 1..N), every Service read, the
/// Service the forwarder exposes chosen.
/// </summary>
internal sealed partial record MeshPlan(
    IReadOnlyList<ManifestInput> Inputs,
    IReadOnlyList<PlannedPod> Pods,
    IReadOnlyList<ServiceManifest> Services,
    IReadOnlyList<string> RoutingObjects,
    IReadOnlyList<string> Skipped,
    ServiceManifest? Exposed,
    ServicePort? ExposedPort)
{
    /// <summary>The ingress gateway's rules when <c>waylay up</c> runs it (<see cref="IngressGateway"/>); null without.</summary>
    public string? IngressRules { get; init; }

    /// <summary>
    /// What the control plane is fed from files (<see cref="ControlPlane.Feeds"/>: Services, Istio's routing objects);
    /// empty when <c>waylay up</c> runs no control plane (no injected pod, or the manifests bring their own).
    /// </summary>
    public IReadOnlyList<JsonObject> ControlObjects { get; init; } = [];

    /// <summary>The routing objects the ingress gateway applies (<c>Kind/name</c>); empty without it.</summary>
    public IReadOnlyList<string> IngressObjects { get; init; } = [];

    /// <summary>The path of the URL <c>waylay up</c> prints: Bookinfo's page when productpage is there.</summary>
    public string UrlPath => Services.Any(s => s.Name == "productpage") && (Exposed?.Name is "productpage" or IngressGateway.Name) ? "/productpage" : "/";

    public const int MaxNodes = 254;

    public static MeshPlan Create(UpOptions options)
    {
        var skipped = new List<string>();
        return Create(options, ReadInputs(options, skipped), skipped);
    }

    /// <summary>The manifests of <c>waylay up</c>'s paths; what is no manifest goes to <paramref name="skipped"/>.</summary>
    private static IReadOnlyList<ManifestInput> ReadInputs(UpOptions options, List<string> skipped)
    {
        try
        {
            return ManifestFiles.Read(options.Paths, skipped);
        }
        catch (ManifestException e)
        {
            throw new UpInputException(e.Message);
        }
    }

    /// <summary>The plan for manifests already read: <c>waylay up</c>'s files, or the run's objects after an apply.</summary>
    public static MeshPlan Create(UpOptions options, IReadOnlyList<ManifestInput> inputs, IReadOnlyList<string> skipped)
    {
        if (options.Nodes is < 1 or > MaxNodes)
        {
            throw new UpInputException($"--nodes {options.Nodes}: use 1 to {MaxNodes} (nodes are numbered 10.243.0.N on the underlay)");
        }

        try
        {
            var overlay = options.ImagesFile is { } file
                ? ImageTableReader.Read(File.Exists(file) ? File.ReadAllText(file) : throw new UpInputException($"--images {file}: no such file; give the path of an image table (YAML: image pattern → command, args, env, workingDir)"), file)
                : null;
            var images = ImageTable.ForThisProgram(overlay);
            var store = options.Runtime == ContainerRuntimeKind.Oci ? new ImageStore(options.ImageStore) : null;
            // The pods waylay up adds itself run the injector's image, as the sidecars do: from the store with
            // --runtime oci (pulled first by the pods' pull policies, MeshPlan.Images.cs; a missing image stops here,
            // before anything is made), else mapped by the image table.
            var (set, ingressRules, control) = Compose(options, inputs);
            var services = set.Objects.Where(o => (string?)o["kind"] == "Service")
                .Select(o => ServiceManifest.Read(o, $"Service/{(string?)o["metadata"]?["name"]}"))
                .ToList();
            var routingObjects = set.Objects.Where(o => (string?)o["kind"] is "Gateway" or "VirtualService" or "DestinationRule").ToList();
            var routing = routingObjects.Select(Name).ToList();
            var ingressObjects = ingressRules is null ? [] : routingObjects.Where(IngressGateway.Applies).Select(Name).ToList();
            var pods = new List<PlannedPod>();
            for (var i = 0; i < set.Pods.Count; i++)
            {
                var node = (i % options.Nodes) + 1;
                // With --runtime oci every pod runs from the store's images, the control plane's and the ingress
                // gateway's too (from the waylay image); only the cluster DNS stays a program of this machine.
                var pod = PodConverter.Convert(set.Pods[i], set, store ?? (IImageSource)images, $"node{node}", ClusterIpAllocator.KubeDns.ToString())
                    with { Runtime = options.Runtime };
                PodMountPlan.For(pod.Spec, options.AllowHostPath); // hostPath and mount conflicts: refused now, not mid-run
                pods.Add(new PlannedPod(pod, node));
            }

            if (store is null)
            {
                CheckProgramAccess(pods);
            }

            var (exposed, port) = Expose(services, options.Expose ?? (ingressRules is null ? null : $"{IngressGateway.Name}.{IngressGateway.Namespace}:{IngressGateway.HttpPortName}"));
            return new MeshPlan(inputs, pods, services, routing, skipped, exposed, port) { IngressRules = ingressRules, IngressObjects = ingressObjects, ControlObjects = control ? [.. set.Objects.Where(ControlPlane.Feeds)] : [] };
        }
        catch (Exception e) when (e is ManifestException or PodConversionException or ImageTableException or ImageStoreException or PodSpecException)
        {
            throw new UpInputException(e.Message);
        }
    }

    /// <summary>
    /// The manifests as they will run: injected, with the pods <c>waylay up</c> adds itself (the control plane when a
    /// pod has a sidecar, the ingress gateway when a Gateway asks for it).
    /// </summary>
    private static (ManifestSet Set, string? IngressRules, bool Control) Compose(UpOptions options, IReadOnlyList<ManifestInput> inputs)
    {
        var image = InjectionValues.Default.Image;
        var set = ManifestSet.Read(inputs, InjectionValues.Default);
        string? ingressRules = null;
        if (IngressGateway.Wanted(set.Objects))
        {
            ingressRules = IngressGateway.Rules(set.Objects);
            set = ManifestSet.Read([.. inputs, IngressGateway.Manifest(ingressRules, image)], InjectionValues.Default);
        }

        ManifestInput[] gateway = ingressRules is null ? [] : [IngressGateway.Manifest(ingressRules, image)];
        // The control plane first, so its pod starts before the sidecars that stream from it.
        var control = options.ControlPlane && ControlPlane.Wanted(set.Objects) && set.Pods.Any(Injected);
        if (control)
        {
            set = ManifestSet.Read([ControlPlane.Manifest(image), .. inputs, .. gateway], InjectionValues.Default);
        }
        else if (!options.ControlPlane && set.Pods.Any(Injected))
        {
            // No control plane by request: inject without a discovery address, so the sidecars pass every
            // connection through and are ready at once; with one they would wait for a first config that never
            // comes (a sidecar is unready until then, as istio-proxy is without istiod).
            set = ManifestSet.Read([.. inputs, .. gateway], InjectionValues.Default with { DiscoveryAddress = "" });
        }

        return (set, ingressRules, control);
    }

    /// <summary>Whether the injector gave the pod a sidecar (a container, or a native-sidecar init container).</summary>
    private static bool Injected(ManifestPod pod) =>
        new[] { pod.Pod["spec"]?["containers"], pod.Pod["spec"]?["initContainers"] }
            .OfType<JsonArray>().SelectMany(a => a).Any(c => (string?)c?["name"] == Waylay.Inject.Template.SidecarNames.ProxyContainer);

    private static string Name(JsonObject o) => $"{(string?)o["kind"]}/{(string?)o["metadata"]?["name"]}";

    /// <summary>
    /// The forwarder's Service: <c>--expose SERVICE[:PORT]</c>, else the ingress gateway when there is one (as Istio's
    /// tutorials reach Bookinfo), else productpage, else the first with a port.
    /// </summary>
    private static (ServiceManifest?, ServicePort?) Expose(List<ServiceManifest> services, string? expose)
    {
        if (expose is null)
        {
            var chosen = services.FirstOrDefault(s => s.Name == "productpage" && s.Service.Ports.Count > 0)
                // Not the control plane's own Service (added first, so it would otherwise win): the manifests' first.
                ?? services.FirstOrDefault(s => s.Namespace != ControlPlane.Namespace && s.Service.Ports.Any(p => p.Protocol == TransportProtocol.Tcp))
                ?? services.FirstOrDefault(s => s.Service.Ports.Any(p => p.Protocol == TransportProtocol.Tcp));
            return (chosen, chosen?.Service.Ports.FirstOrDefault(p => p.Protocol == TransportProtocol.Tcp));
        }

        var parts = expose.Split(':', 2);
        var service = services.FirstOrDefault(s => s.Name == parts[0] || $"{s.Name}.{s.Namespace}" == parts[0])
            ?? throw new UpInputException($"--expose {expose}: no Service '{parts[0]}' in the manifests; name one of: {string.Join(", ", services.Select(s => s.Name))}");
        var tcp = service.Service.Ports.Where(p => p.Protocol == TransportProtocol.Tcp).ToList();
        var port = parts.Length == 1
            ? tcp.FirstOrDefault()
            : tcp.FirstOrDefault(p => p.Name == parts[1] || p.Port.ToString(System.Globalization.CultureInfo.InvariantCulture) == parts[1]);
        return port is null
            ? throw new UpInputException($"--expose {expose}: Service {service.Name} has no TCP port {(parts.Length > 1 ? parts[1] : "")}; its ports: {string.Join(", ", service.Service.Ports.Select(p => $"{p.Name}:{p.Port}/{p.Protocol}"))}")
            : (service, port);
    }
}

/// <summary>A pod converted for the node it is placed on.</summary>
internal sealed record PlannedPod(KubeletPod Pod, int Node)
{
    public string Namespace => Pod.Source.Namespace;

    public IReadOnlyDictionary<string, string> Labels =>
        Pod.Pod.Metadata?.Labels is { } labels ? new Dictionary<string, string>(labels) : new Dictionary<string, string>();

    /// <summary>The container port named <paramref name="name"/> (a Service's targetPort by name), if any.</summary>
    public ushort? ContainerPort(string name) =>
        (Pod.Pod.Spec.Containers ?? []).Concat(Pod.Pod.Spec.InitContainers ?? [])
            .SelectMany(c => c.Ports ?? [])
            .Where(p => p.Name == name)
            .Select(p => (ushort?)p.ContainerPort)
            .FirstOrDefault();
}
