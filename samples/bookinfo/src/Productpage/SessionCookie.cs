using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace Waylay.Samples.Bookinfo.Productpage;

/// <summary>
/// productpage's session: the signed-in user, kept in a <c>session</c> cookie signed with HMAC-SHA256 (like the Flask
/// session cookie Istio's productpage uses), so a client cannot simply write <c>end-user: jason</c> into it. Every
/// replica shares the key (<c>BOOKINFO_SESSION_KEY</c>, or a fixed demo key as Istio's has), so any of them can
/// read a session another one wrote.
/// </summary>
internal sealed class SessionCookie(string key)
{
    public const string Name = "session";

    private readonly byte[] _key = Encoding.UTF8.GetBytes(key);

    /// <summary>The signed-in user, or null when there is no valid session.</summary>
    public string? User(HttpRequest request)
    {
        if (request.Cookies[Name] is not { } value || value.Split('.') is not [var payload, var signature])
        {
            return null;
        }

        try
        {
            var bytes = WebEncoders.Base64UrlDecode(payload);
            return CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(_key, bytes), WebEncoders.Base64UrlDecode(signature))
                ? Encoding.UTF8.GetString(bytes)
                : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    public void SignIn(HttpResponse response, string user)
    {
        var bytes = Encoding.UTF8.GetBytes(user);
        var value = WebEncoders.Base64UrlEncode(bytes) + "." + WebEncoders.Base64UrlEncode(HMACSHA256.HashData(_key, bytes));
        response.Cookies.Append(Name, value, new CookieOptions { HttpOnly = true, Path = "/" });
    }

    public static void SignOut(HttpResponse response) => response.Cookies.Delete(Name, new CookieOptions { Path = "/" });
}
