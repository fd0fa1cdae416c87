using System.Text;

namespace Waylay.Proxy.Admin;

/// <summary>One admin answer: status, media type and body.</summary>
internal readonly record struct AdminResponse(int Status, string ContentType, byte[] Body)
{
    public static AdminResponse Text(int status, string text) => new(status, "text/plain; charset=utf-8", Encoding.UTF8.GetBytes(text));

    public static AdminResponse Json(byte[] body) => new(200, "application/json", body);
}
