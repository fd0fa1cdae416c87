using Waylay.Inject.Manifests;
using Waylay.Node.State;

namespace Waylay.Node.Up;

/// <summary>
/// How <c>waylay apply</c> and <c>waylay delete</c> reach the running supervisor, which alone owns the pods: through
/// the run's state directory, as everything else between them. The command writes
/// <c>&lt;state&gt;/up/requests/&lt;id&gt;.request.json</c> (the manifests' text, read where the user ran it; written
/// atomically, so the supervisor never sees half a request) and waits for <c>&lt;id&gt;.result.json</c>. The supervisor
/// takes requests in order on its sync period (<see cref="MeshRun"/>), so an apply never races the readiness loop.
/// No socket to secure or clean up: the directory is root's, and <c>waylay down</c> removes it with the run.
/// </summary>
internal sealed record ApplyRequest(string Operation, IReadOnlyList<ManifestInput> Inputs)
{
    public const string Apply = "apply";
    public const string Delete = "delete";

    public static string Directory(string stateDirectory) => Path.Combine(stateDirectory, "up", "requests");

    /// <summary>Sends the request; returns the supervisor's result, or a failed one when it is gone or silent.</summary>
    public static async Task<ApplyResult> SendAsync(string stateDirectory, ApplyRequest request, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var state = new RunState(stateDirectory);
        var id = $"{DateTime.UtcNow:yyyyMMddHHmmssfff}-{Environment.ProcessId}";
        var result = Path.Combine(Directory(stateDirectory), id + ".result.json");
        state.Write(Path.Combine(Directory(stateDirectory), id + ".request.json"), request);
        var deadline = DateTime.UtcNow + timeout;
        while (!File.Exists(result))
        {
            if (MeshStatus.Supervisor(stateDirectory) is not { IsAlive: true })
            {
                return new ApplyResult(false, false, [], "the run's supervisor is not running (waylay ps shows it); nothing can apply the change: waylay down, then waylay up again");
            }

            if (DateTime.UtcNow > deadline)
            {
                return new ApplyResult(false, false, [], $"the supervisor did not answer within {timeout.TotalSeconds:0} s; its log: {MeshStatus.LogFile(stateDirectory)}");
            }

            await Task.Delay(100, cancellationToken);
        }

        var answer = RunState.Read<ApplyResult>(result);
        File.Delete(result);
        return answer;
    }

    /// <summary>The supervisor's side: the requests waiting, oldest first, each removed as it is taken.</summary>
    public static IEnumerable<(ApplyRequest Request, string ResultFile)> Take(string stateDirectory)
    {
        var directory = Directory(stateDirectory);
        if (!System.IO.Directory.Exists(directory))
        {
            yield break;
        }

        foreach (var file in System.IO.Directory.GetFiles(directory, "*.request.json").Order(StringComparer.Ordinal))
        {
            var result = file[..^".request.json".Length] + ".result.json";
            ApplyRequest? request;
            try
            {
                request = RunState.Read<ApplyRequest>(file);
            }
            catch (Exception e) when (e is IOException or System.Text.Json.JsonException or InvalidDataException)
            {
                // Not a request this supervisor can read (another version wrote it): answer, never stop supervising.
                new RunState(stateDirectory).Write(result, new ApplyResult(false, true, [], $"{file}: unreadable request ({e.Message}); use the waylay that started the run"));
                request = null;
            }

            File.Delete(file);
            if (request is not null)
            {
                yield return (request, result);
            }
        }
    }
}

/// <summary>What the supervisor answers: done or not, whether the input was at fault (exit 2) and kubectl's lines.</summary>
internal sealed record ApplyResult(bool Succeeded, bool BadInput, IReadOnlyList<string> Lines, string? Error);
