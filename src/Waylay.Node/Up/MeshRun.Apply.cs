using Waylay.Discovery.V1;
using Waylay.Inject;
using Waylay.Node.Services;

namespace Waylay.Node.Up;

/// <summary>
/// <c>waylay apply</c> and <c>waylay delete</c> on the running mesh (<see cref="ApplyRequest"/> brings them here):
/// <code>
///  :: 1 the run's objects changed on a copy, the whole run planned again from it: bad input changes nothing
///  :: 2 Services gone: removed (kube-proxy rules, DNS); new or changed: applied with their current endpoints
///  :: 3 pods the plan no longer has (scaled down, template changed: a new pod-template-hash, deleted) leave the
///       endpoints, then stop; pods it names that do not run (scaled up, the new template's) start
///  :: 4 endpoints synced; the plan and objects become the run's
/// </code>
/// A Deployment whose template changed has its pods replaced all at once (not a rolling update); a changed ConfigMap
/// reaches the pods that start after it. Istio's routing objects and the Services go to the control plane's files
/// (<see cref="ControlPlaneFeed"/>), which pushes them to every sidecar; the ingress gateway keeps the rules it started with.
/// </summary>
internal sealed partial class MeshRun
{
    /// <summary>Answers every waiting request, in order.</summary>
    private async Task HandleRequestsAsync(CancellationToken cancellationToken)
    {
        foreach (var (request, resultFile) in ApplyRequest.Take(Runtime.State.Directory))
        {
            ApplyResult result;
            try
            {
                result = new ApplyResult(true, false, await ApplyAsync(request, cancellationToken), null);
            }
            catch (Exception e) when (e is UpInputException or ManifestException)
            {
                result = new ApplyResult(false, true, [], e.Message);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                result = new ApplyResult(false, false, [], e.Message);
            }

            Say($"{request.Operation}: {(result.Succeeded ? string.Join("; ", result.Lines) : result.Error)}");
            Runtime.State.Write(resultFile, result);
        }
    }

    private async Task<IReadOnlyList<string>> ApplyAsync(ApplyRequest request, CancellationToken cancellationToken)
    {
        // :: Step 1
        var objects = new RunObjects(_objects.Inputs());
        var changes = request.Operation == ApplyRequest.Delete ? objects.Delete(request.Inputs) : objects.Apply(request.Inputs);
        var plan = await MeshPlan.CreateAsync(_options, objects.Inputs(), [], Say, cancellationToken);
        var lines = changes.Select(c => c.ToString()).ToList();

        // :: Step 2
        var changedServices = changes.Where(c => c.Kind == "Service" && c.Changed).Select(c => $"{c.Namespace}/{c.Name}").ToHashSet(StringComparer.Ordinal);
        foreach (var gone in _plan.Services.Where(s => !plan.Services.Any(n => n.Namespace == s.Namespace && n.Name == s.Name)))
        {
            await Runtime.Services.RemoveAsync(gone.Namespace, gone.Name, cancellationToken);
            _endpoints.Remove($"{gone.Namespace}/{gone.Name}");
        }

        foreach (var service in plan.Services.Where(s => changedServices.Contains($"{s.Namespace}/{s.Name}")))
        {
            var applied = await Runtime.Services.ApplyAsync(service.Service with { Endpoints = Endpoints(service) }, cancellationToken);
            _endpoints.Remove($"{service.Namespace}/{service.Name}");
            Say($"service {service.Namespace}/{service.Name}: {applied.Addresses[0]}");
        }

        // :: Step 3
        var desired = plan.Pods.Select(p => p.Pod.Name).ToHashSet(StringComparer.Ordinal);
        var leaving = _workers.Where(w => !desired.Contains(w.Key)).ToList();
        foreach (var (name, (planned, worker)) in leaving)
        {
            _registrations?.Report(PodEvent.Types.Phase.Stopped, planned, worker.Sandbox.Address);
            _workers.Remove(name);
            _status.Remove(name);
        }

        _plan = plan;
        _objects = objects;
        _controlObjectsDirty = true; // Services and routing objects to the control plane's files, in the next sync
        _endpoints.Clear();
        await SyncAsync(cancellationToken); // the leaving pods are no endpoint any more before they stop
        foreach (var (name, (_, worker)) in leaving)
        {
            await worker.DisposeAsync();
            await Runtime.StopPodAsync(name, cancellationToken);
            Say($"pod {name}: stopped");
            lines.Add($"pod/{name} deleted");
        }

        foreach (var planned in plan.Pods.Where(p => !_workers.ContainsKey(p.Pod.Name)))
        {
            _status[planned.Pod.Name] = Pending(planned);
            await StartPodAsync(planned, cancellationToken);
            lines.Add($"pod/{planned.Pod.Name} created");
        }

        // :: Step 4
        _endpoints.Clear();
        await SyncAsync(cancellationToken);
        if (changes.Any(c => c.Changed && c.Kind is "Gateway" or "VirtualService" or "DestinationRule"))
        {
            lines.Add(_controlFeed is null
                ? "routing objects stored with the run; no pod has a sidecar, so no control plane runs to apply them"
                : $"routing objects sent to the control plane {ControlPlane.Namespace}/{ControlPlane.Name}: every sidecar takes them on its next push");
        }

        Publish();
        return lines;
    }
}
