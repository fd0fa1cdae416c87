using System.Text;

namespace Waylay.Proxy.Http.Http1;

/// <summary>The registered methods as interned strings, so parsing a GET allocates nothing for its method.</summary>
internal static class Methods
{
    public static string Intern(ReadOnlySpan<byte> method) => method switch
    {
        _ when method.SequenceEqual("GET"u8) => "GET",
        _ when method.SequenceEqual("POST"u8) => "POST",
        _ when method.SequenceEqual("PUT"u8) => "PUT",
        _ when method.SequenceEqual("DELETE"u8) => "DELETE",
        _ when method.SequenceEqual("HEAD"u8) => "HEAD",
        _ when method.SequenceEqual("OPTIONS"u8) => "OPTIONS",
        _ when method.SequenceEqual("PATCH"u8) => "PATCH",
        _ when method.SequenceEqual("CONNECT"u8) => "CONNECT",
        _ when method.SequenceEqual("TRACE"u8) => "TRACE",
        _ => Encoding.ASCII.GetString(method),
    };
}
