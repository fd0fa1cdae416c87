using System.Buffers;
using Waylay.Proxy.Http.Http1;

namespace Waylay.Proxy.Http.Tests.Http1;

/// <summary>
/// Drives the parsers the way a connection loop does: bytes arrive in pieces, each call sees everything not yet
/// consumed, and the loop advances by what the parser says. The pieces can be any size down to one byte.
/// </summary>
internal sealed class Http1Reading
{
    public sealed record Message(Http1RequestHead Head, string Summary, string Body, string Trailers);

    /// <summary>Parses every request in <paramref name="wire"/>, feeding it in chunks of <paramref name="chunk"/> bytes; returns the messages and the error that stopped it, if any.</summary>
    public static (List<string> Messages, Http1Error Error) Requests(byte[] wire, int chunk, Http1Limits? limits = null)
    {
        var parser = new Http1RequestParser(limits);
        var body = new Http1BodyReader(limits);
        var messages = new List<string>();
        var received = 0;
        var offset = 0; // start of unconsumed bytes
        var inBody = false;
        var bodyText = new System.Text.StringBuilder();
        string summary = "";
        while (true)
        {
            var final = received >= wire.Length;
            var buffer = Bytes.Sequence(wire[offset..received]);
            if (!inBody)
            {
                if (buffer.IsEmpty && final)
                {
                    return (messages, Http1Error.None);
                }

                var status = parser.TryParse(buffer, out var consumed, out _, out var error);
                if (status == Http1ParseStatus.Error)
                {
                    return (messages, error);
                }

                if (status == Http1ParseStatus.Complete)
                {
                    offset += (int)buffer.Slice(0, consumed).Length;
                    var head = parser.Head;
                    summary = $"{head.Method} {head.PathAndQuery} {head.Framing} keepAlive={head.KeepAlive}";
                    body.Start(head);
                    bodyText.Clear();
                    inBody = true;
                    continue;
                }
            }
            else
            {
                var status = body.Read(buffer, final, out var data, out var consumed, out _, out var error);
                if (status == Http1BodyStatus.Error)
                {
                    return (messages, error);
                }

                bodyText.Append(Bytes.Text(data));
                offset += (int)buffer.Slice(0, consumed).Length;
                if (status == Http1BodyStatus.Complete)
                {
                    var trailers = Bytes.Text(body.Trailers);
                    messages.Add(trailers.Length == 0 ? $"{summary} body={bodyText}" : $"{summary} body={bodyText} trailers={trailers.TrimEnd()}");
                    inBody = false;
                    continue;
                }

                if (status == Http1BodyStatus.Data)
                {
                    continue;
                }
            }

            if (final)
            {
                return (messages, inBody ? Http1Error.UnexpectedEndOfBody : Http1Error.None);
            }

            received = Math.Min(wire.Length, received + chunk);
        }
    }
}
