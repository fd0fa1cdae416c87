using Grpc.Core;
using Waylay.Control.Registry;
using Waylay.Discovery.V1;

namespace Waylay.Control.Discovery;

/// <summary>
/// A DiscoveryResponse as the server writes it: the per-stream fields (type, version, nonce, removed names) encoded
/// for this stream, followed by the resources' frames shared by every stream. Protobuf fields may come in any order,
/// so the proxy reads it as an ordinary DiscoveryResponse; the resources are never serialised per proxy.
/// </summary>
internal sealed record PushFrame(DiscoveryResponse Header, EncodedResources Resources)
{
    public long Bytes => Resources.Frames.Length;

    public static Marshaller<PushFrame> Marshaller { get; } = Marshallers.Create<PushFrame>(Write, _ => throw new NotSupportedException("the server only writes responses"));

    public static Marshaller<DiscoveryRequest> RequestMarshaller { get; } = Marshallers.Create<DiscoveryRequest>(
        (request, context) => context.Complete(Google.Protobuf.MessageExtensions.ToByteArray(request)),
        context => DiscoveryRequest.Parser.ParseFrom(context.PayloadAsReadOnlySequence()));

    private static void Write(PushFrame frame, SerializationContext context)
    {
        var header = frame.Header;
        context.SetPayloadLength(header.CalculateSize() + frame.Resources.Frames.Length);
        var writer = context.GetBufferWriter();
        Google.Protobuf.MessageExtensions.WriteTo(header, writer);
        var frames = frame.Resources.Frames.Span;
        while (frames.Length > 0)
        {
            var span = writer.GetSpan(Math.Min(frames.Length, 64 * 1024));
            var n = Math.Min(span.Length, frames.Length);
            frames[..n].CopyTo(span);
            writer.Advance(n);
            frames = frames[n..];
        }

        context.Complete();
    }
}
