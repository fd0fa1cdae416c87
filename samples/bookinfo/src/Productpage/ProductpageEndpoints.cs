using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Waylay.Samples.Bookinfo.Peers;

namespace Waylay.Samples.Bookinfo.Productpage;

/// <summary>
/// productpage: the shop's page and its API, as Istio's productpage serves them.
/// <list type="table">
///   <item><term><c>GET /</c>, <c>/index.html</c></term><description>the services and links to the product page</description></item>
///   <item><term><c>GET /productpage</c></term><description>the book with details and reviews (details, then reviews, each called with the propagated headers)</description></item>
///   <item><term><c>POST /login</c></term><description>form field <c>username</c> into the session cookie, back to where the user was</description></item>
///   <item><term><c>GET /logout</c></term><description>clears the session's user, back to where the user was</description></item>
///   <item><term><c>GET /api/v1/products[/{id}[/reviews|/ratings]]</c></term><description>the catalogue, and the peers' JSON with their status</description></item>
///   <item><term><c>GET /health</c></term><description>"Product page is healthy"</description></item>
/// </list>
/// Signed in, every call to details and reviews carries <c>end-user: {user}</c>: that is what Istio's request
/// routing and fault injection tasks match on.
/// </summary>
internal static class ProductpageEndpoints
{
    public static void Map(WebApplication app, BookinfoOptions options)
    {
        var session = new SessionCookie(options.SessionKey);
        ProductpageCalls.Headers Headers(HttpRequest request)
        {
            var list = PropagatedHeaders.Select(request.Headers, PropagatedHeaders.FromProductpage);
            if (session.User(request) is { Length: > 0 } user)
            {
                list.Add(new("end-user", user));
            }

            return new(list);
        }

        app.MapGet("/health", () => Results.Content("Product page is healthy", "text/html; charset=utf-8"));
        app.MapGet("/", Index);
        app.MapGet("/index.html", Index);

        app.MapPost("/login", async (HttpContext context) =>
        {
            var form = context.Request.HasFormContentType ? await context.Request.ReadFormAsync(context.RequestAborted) : null;
            if (form?["username"].ToString() is not { Length: > 0 } user)
            {
                return Results.BadRequest("POST /login needs the form field 'username' (application/x-www-form-urlencoded), e.g. username=jason");
            }

            session.SignIn(context.Response, user);
            return Results.Redirect(Back(context.Request));
        });
        app.MapGet("/logout", (HttpContext context) =>
        {
            SessionCookie.SignOut(context.Response);
            return Results.Redirect(Back(context.Request));
        });

        app.MapGet("/productpage", async (HttpContext context, ProductpageCalls calls) =>
        {
            var headers = Headers(context.Request);
            var details = await calls.DetailsAsync("0", headers, context.RequestAborted);
            var reviews = await calls.ReviewsAsync("0", headers, context.RequestAborted);
            return Results.Content(ProductpageHtml.Page(session.User(context.Request), details, reviews), "text/html; charset=utf-8");
        });

        app.MapGet("/api/v1/products", () => JsonAnswer.Of(Products.All()));
        app.MapGet("/api/v1/products/{id}", async (string id, HttpContext context, ProductpageCalls calls) =>
            Answer(await calls.DetailsAsync(id, Headers(context.Request), context.RequestAborted)));
        app.MapGet("/api/v1/products/{id}/reviews", async (string id, HttpContext context, ProductpageCalls calls) =>
            Answer(await calls.ReviewsAsync(id, Headers(context.Request), context.RequestAborted)));
        app.MapGet("/api/v1/products/{id}/ratings", async (string id, HttpContext context, ProductpageCalls calls) =>
            Answer(await calls.RatingsAsync(id, Headers(context.Request), context.RequestAborted)));

        IResult Index() => Results.Content(
            ProductpageHtml.Index([
                ("productpage", "details, reviews"),
                ($"details ({options.Peers.Details.Authority})", "nothing"),
                ($"reviews ({options.Peers.Reviews.Authority})", "ratings"),
                ($"ratings ({options.Peers.Ratings.Authority})", "nothing"),
            ]),
            "text/html; charset=utf-8");
    }

    private static IResult Answer(PeerResult result) => JsonAnswer.Of(result.Body, result.Status);

    /// <summary>Where the browser came from (the form's page), as Istio's productpage redirects; the product page when it did not say.</summary>
    private static string Back(HttpRequest request) =>
        request.Headers.Referer.ToString() is { Length: > 0 } referer ? referer : "productpage";
}
