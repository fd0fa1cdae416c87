using System.Text.Json.Nodes;
using Waylay.Inject;
using Waylay.Inject.Manifests;
using Waylay.Node.Images.Store;
using Waylay.Node.Manifests;
using Waylay.Node.Processes;

namespace Waylay.Node.Up;

internal sealed partial record MeshPlan
{
    /// <summary>
    /// The plan, after the images of every container (the pods <c>waylay up</c> adds included) are made present by
    /// their <c>imagePullPolicy</c> with <c>--runtime oci</c> (<see cref="ImagePulls"/>); <paramref name="say"/> hears
    /// each pull and warning. A pull that fails stops here, before anything is made.
    /// </summary>
    public static async Task<MeshPlan> CreateAsync(UpOptions options, Action<string> say, CancellationToken cancellationToken)
    {
        var skipped = new List<string>();
        return await CreateAsync(options, ReadInputs(options, skipped), skipped, say, cancellationToken);
    }

    /// <inheritdoc cref="CreateAsync(UpOptions, Action{string}, CancellationToken)"/>
    public static async Task<MeshPlan> CreateAsync(
        UpOptions options, IReadOnlyList<ManifestInput> inputs, IReadOnlyList<string> skipped, Action<string> say, CancellationToken cancellationToken)
    {
        if (options.Runtime == ContainerRuntimeKind.Oci)
        {
            try
            {
                var requests = Compose(options, inputs).Set.Pods.SelectMany(ImageRequests).ToList();
                foreach (var note in await ImagePulls.EnsureAsync(new ImageStore(options.ImageStore), requests, options.Registries, TimeProvider.System, cancellationToken))
                {
                    say(note);
                }
            }
            catch (Exception e) when (e is ManifestException or ImageStoreException)
            {
                throw new UpInputException(e.Message);
            }
        }

        return Create(options, inputs, skipped);
    }

    /// <summary>Every container's image and pull policy (init containers first, as they start).</summary>
    private static IEnumerable<ImageRequest> ImageRequests(ManifestPod pod)
    {
        foreach (var kind in new[] { "initContainers", "containers" })
        {
            foreach (var container in pod.Pod["spec"]?[kind] as JsonArray ?? [])
            {
                if (container?["image"]?.GetValue<string>() is not { Length: > 0 } image)
                {
                    continue; // the conversion names a missing image
                }

                var where = $"pod {pod.Namespace}/{pod.Name} ({pod.Workload}): {(kind == "containers" ? "container" : "init container")} {container["name"]}";
                ImageRequest request;
                try
                {
                    ImageName.Parse(image);
                    request = new ImageRequest(image, PullPolicies.Of(image, container["imagePullPolicy"]?.GetValue<string>(), where), where);
                }
                catch (ImageStoreException e) when (!e.Message.StartsWith(where, StringComparison.Ordinal))
                {
                    throw new ImageStoreException($"{where}: {e.Message}");
                }

                yield return request;
            }
        }
    }
}
