using System.IO.Pipelines;
using Microsoft.AspNetCore.Http.Features;

namespace Waylay.Proxy.Http.Http2;

/// <summary>
/// Kestrel's response body with its <see cref="Stream"/> (what YARP copies the upstream's body into) counted.
/// Everything else goes to Kestrel's own feature, so <see cref="CompleteAsync"/> still ends the h2 stream with its
/// trailers, which a bidi gRPC call needs before the caller finishes sending.
/// </summary>
internal sealed class CountingResponseBody(IHttpResponseBodyFeature prior) : IHttpResponseBodyFeature
{
    private readonly CountingStream _stream = new(prior.Stream);

    public long Count => _stream.Count;

    public Stream Stream => _stream;

    public PipeWriter Writer => prior.Writer;

    public void DisableBuffering() => prior.DisableBuffering();

    public Task StartAsync(CancellationToken cancellationToken = default) => prior.StartAsync(cancellationToken);

    public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default) =>
        prior.SendFileAsync(path, offset, count, cancellationToken);

    public Task CompleteAsync() => prior.CompleteAsync();
}
