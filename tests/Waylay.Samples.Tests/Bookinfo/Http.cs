using System.Net.Http.Headers;
using System.Text.RegularExpressions;

namespace Waylay.Samples.Tests.Bookinfo;

/// <summary>A plain HTTP client for the tests: no proxy, no cookie jar, no redirects followed, so each is seen as it is.</summary>
internal static partial class Http
{
    public static HttpClient Client { get; } = new(new SocketsHttpHandler { UseProxy = false, UseCookies = false, AllowAutoRedirect = false });

    public static async Task<string> GetStringAsync(Uri baseUrl, string path, params (string Name, string Value)[] headers)
    {
        using var response = await SendAsync(HttpMethod.Get, baseUrl, path, headers);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    public static async Task<HttpResponseMessage> SendAsync(HttpMethod method, Uri baseUrl, string path, (string Name, string Value)[] headers, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(baseUrl, path)) { Content = content };
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return await Client.SendAsync(request);
    }

    /// <summary>The <c>name=value</c> of a Set-Cookie answer, to send back as a Cookie header.</summary>
    public static string Cookie(HttpResponseMessage response, string name)
    {
        var set = Assert.Single(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith(name + "=", StringComparison.Ordinal));
        return set.Split(';')[0];
    }

    public static int Count(string text, string what) => Regex.Matches(text, Regex.Escape(what)).Count;

    public static MediaTypeHeaderValue? ContentType(HttpResponseMessage response) => response.Content.Headers.ContentType;
}
