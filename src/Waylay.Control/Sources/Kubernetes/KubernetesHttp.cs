using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Waylay.Control.Sources.Kubernetes;

/// <summary>What a watch line says happened to its object (the API server's <c>type</c> field).</summary>
internal enum WatchEventKind
{
    Added,
    Modified,
    Deleted,
    Bookmark,
}

/// <summary>
/// The requests KubernetesClient.Aot cannot make, made here for both builds so the JIT CLI and the NativeAOT
/// <c>waylay-control</c> run (and the tests check) the same code: watches (the Aot package leaves out Watcher and
/// WatcherExt) and custom-object lists read as JSON (its CustomObjects calls deserialize through a source-generated
/// context that has no entry for an arbitrary document). The request goes through the client's own HttpClient and
/// credentials, so TLS, client certificates and tokens are exactly the generated calls'.
/// </summary>
internal static class KubernetesHttp
{
    /// <summary>GET <paramref name="path"/>; a status other than 2xx throws HttpOperationException, as the generated calls do.</summary>
    public static async Task<HttpResponseMessage> GetAsync(k8s.Kubernetes client, string pathAndQuery, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(client.BaseUri.AbsoluteUri.TrimEnd('/') + pathAndQuery));
        // The client's HTTP version (2, by ALPN, falling back to 1.1), as its generated calls send: a watch is then one
        // stream of a connection the lists share.
        request.Version = System.Net.HttpVersion.Version20;
        request.VersionPolicy = HttpVersionPolicy.RequestVersionOrLower;
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (client.Credentials is { } credentials)
        {
            await credentials.ProcessHttpRequestAsync(request, cancellationToken).ConfigureAwait(false);
        }

        var response = await client.HttpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            var content = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            throw new HttpOperationException($"Operation returned an invalid status code '{response.StatusCode}', response body {content}")
            {
                Request = new HttpRequestMessageWrapper(request, null),
                Response = new HttpResponseMessageWrapper(response, content),
            };
        }
    }

    /// <summary>A list or object as a JSON document (custom resources).</summary>
    public static async Task<JsonElement> GetJsonAsync(k8s.Kubernetes client, string path, CancellationToken cancellationToken)
    {
        using var response = await GetAsync(client, path, cancellationToken).ConfigureAwait(false);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var document = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
        return document.RootElement.Clone();
    }

    /// <summary>
    /// <c>GET path?watch=true&amp;resourceVersion=…&amp;allowWatchBookmarks=true&amp;timeoutSeconds=…</c>, one event per
    /// line until the server closes. An ERROR event goes to <paramref name="onError"/> as a KubernetesException carrying
    /// its Status (410 Gone included), as KubernetesClient's watcher reports it; so does an unreadable line.
    /// </summary>
    public static async IAsyncEnumerable<(WatchEventKind Type, T Object)> WatchAsync<T>(
        k8s.Kubernetes client, string path, string resourceVersion, int timeoutSeconds, Func<JsonElement, T> read,
        Action<Exception> onError, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var query = $"?allowWatchBookmarks=true&resourceVersion={Uri.EscapeDataString(resourceVersion)}&timeoutSeconds={timeoutSeconds}&watch=true";
        using var response = await GetAsync(client, path + query, cancellationToken).ConfigureAwait(false);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var reader = new StreamReader(stream);
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }

            (WatchEventKind, T)? item = null;
            try
            {
                using var document = JsonDocument.Parse(line);
                var root = document.RootElement;
                var type = root.GetProperty("type").GetString();
                var obj = root.GetProperty("object");
                switch (type)
                {
                    case "ADDED": item = (WatchEventKind.Added, read(obj)); break;
                    case "MODIFIED": item = (WatchEventKind.Modified, read(obj)); break;
                    case "DELETED": item = (WatchEventKind.Deleted, read(obj)); break;
                    case "BOOKMARK": item = (WatchEventKind.Bookmark, read(obj)); break;
                    case "ERROR": onError(new KubernetesException(KubernetesJson.Deserialize<V1Status>(obj.GetRawText()))); break;
                    default: onError(new JsonException($"a watch event of unknown type '{type}'")); break;
                }
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                onError(e);
            }

            if (item is { } value)
            {
                yield return value;
            }
        }
    }

    /// <summary>A typed object through KubernetesClient's own serializer (source-generated in the Aot package).</summary>
    public static T Read<T>(JsonElement element) => KubernetesJson.Deserialize<T>(element.GetRawText());
}
