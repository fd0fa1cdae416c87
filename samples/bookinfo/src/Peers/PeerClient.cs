using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace Waylay.Samples.Bookinfo.Peers;

/// <summary>
/// GETs JSON from a peer with the role's timeout, copying the propagated headers. Every failure (refused, reset,
/// timed out, not JSON) is an answer the caller shows to the user, never an exception: that is what Istio's fault
/// injection tasks look at.
/// </summary>
internal sealed class PeerClient(HttpClient http, BookinfoOptions options, ILogger<PeerClient> logger)
{
    public async Task<PeerResponse> GetAsync(Uri peer, string path, IEnumerable<KeyValuePair<string, string>> headers, CancellationToken cancellationToken)
    {
        var url = new Uri(peer, path);
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Timeout);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token);
            var status = (int)response.StatusCode;
            if (status != 200)
            {
                BookinfoLog.PeerAnswered(logger, url, status);
                return new PeerResponse(status, null);
            }

            var body = await response.Content.ReadAsStringAsync(timeout.Token);
            return new PeerResponse(status, JsonNode.Parse(body));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            BookinfoLog.PeerTimedOut(logger, url, options.Timeout);
            return new PeerResponse(null, null);
        }
        catch (Exception e) when (e is HttpRequestException or JsonException)
        {
            BookinfoLog.PeerFailed(logger, url, e.Message);
            return new PeerResponse(null, null);
        }
    }
}
