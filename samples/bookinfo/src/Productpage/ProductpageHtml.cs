using System.Text;
using System.Text.Json.Nodes;
using static System.Net.WebUtility;

namespace Waylay.Samples.Bookinfo.Productpage;

/// <summary>
/// The pages productpage renders. The visible texts and the markup that Istio's documentation and users' scripts look
/// for are those of Istio's Bookinfo: "Book Details", "Book Reviews", "Reviewer1", stars as
/// <c>&lt;font color="black|red"&gt;</c> around <c>glyphicon-star</c> spans, "Error fetching product details!",
/// "Error fetching product reviews!", "Reviews served by:" with the reviews pod underlined. Everything that comes from
/// a peer or the user is HTML-encoded; the product description is the shop's own trusted HTML.
/// </summary>
internal static class ProductpageHtml
{
    private const string Style =
        "body{font-family:sans-serif;margin:0}nav{background:#222;color:#ddd;padding:10px 20px;display:flex;justify-content:space-between}"
        + "nav a{color:#fff}.row{display:flex;gap:40px;padding:0 20px}.col{flex:1}h3,h4{text-align:center;color:#337ab7}"
        + "blockquote{border-left:4px solid #eee;margin:0 0 16px;padding:4px 16px}.glyphicon{font-style:normal}dt{font-weight:bold}";

    public static string Page(string? user, PeerResult details, PeerResult reviews)
    {
        var html = new StringBuilder();
        Head(html, "Simple Bookstore App");
        html.Append("<nav><span>BookInfo Sample</span>");
        if (!string.IsNullOrEmpty(user))
        {
            html.Append("<span>").Append(HtmlEncode(user)).Append(" ( <a href=\"logout\">sign out</a> )</span>");
        }
        else
        {
            html.Append("<form method=\"post\" action=\"login\" name=\"login_form\">")
                .Append("<input type=\"text\" name=\"username\" id=\"username\" placeholder=\"User Name\"> ")
                .Append("<input type=\"password\" name=\"passwd\" placeholder=\"Password\"> ")
                .Append("<button type=\"submit\">Sign in</button></form>");
        }

        html.Append("</nav>\n<h3>").Append(HtmlEncode(Products.Title)).Append("</h3>\n<p style=\"padding:0 20px\">Summary: ")
            .Append(Products.DescriptionHtml).Append("</p>\n<div class=\"row\">\n<div class=\"col\">\n");
        Details(html, details);
        html.Append("</div>\n<div class=\"col\">\n");
        Reviews(html, reviews);
        html.Append("</div>\n</div>\n</body>\n</html>\n");
        return html.ToString();
    }

    private static void Details(StringBuilder html, PeerResult details)
    {
        if (details.Status != 200)
        {
            Error(html, "Error fetching product details!", details.Body);
            return;
        }

        html.Append("<h4>Book Details</h4>\n<dl>\n");
        foreach (var (label, field) in new[] { ("Type", "type"), ("Pages", "pages"), ("Publisher", "publisher"), ("Language", "language"), ("ISBN-10", "ISBN-10"), ("ISBN-13", "ISBN-13") })
        {
            html.Append("<dt>").Append(label).Append(":</dt>").Append(Text(details.Body[field])).Append('\n');
        }

        html.Append("</dl>\n");
    }

    private static void Reviews(StringBuilder html, PeerResult reviews)
    {
        if (reviews.Status != 200)
        {
            Error(html, "Error fetching product reviews!", reviews.Body);
            return;
        }

        html.Append("<h4>Book Reviews</h4>\n");
        foreach (var review in reviews.Body["reviews"] as JsonArray ?? [])
        {
            html.Append("<blockquote>\n<p>").Append(Text(review?["text"])).Append("</p>\n<small>").Append(Text(review?["reviewer"])).Append("</small>\n");
            if (review?["rating"] is JsonObject rating)
            {
                if (rating["stars"] is JsonValue value && value.TryGetValue<int>(out var stars) && stars > 0)
                {
                    var full = Math.Min(stars, 5);
                    html.Append("<font color=\"").Append(Text(rating["color"])).Append("\">\n");
                    html.Insert(html.Length, "<span class=\"glyphicon glyphicon-star\">&#9733;</span>\n", full);
                    html.Insert(html.Length, "<span class=\"glyphicon glyphicon-star-empty\">&#9734;</span>\n", 5 - full);
                    html.Append("</font>\n");
                }
                else if (rating["error"] is { } error)
                {
                    html.Append("<p><i>").Append(Text(error)).Append("</i></p>\n");
                }
            }

            html.Append("</blockquote>\n");
        }

        html.Append("<dl>\n<dt>Reviews served by:</dt>\n<u>").Append(Text(reviews.Body["podname"])).Append("</u>\n");
        if (reviews.Body["clustername"] is { } cluster && Text(cluster) is { Length: > 0 } name && name != "null")
        {
            html.Append(" on cluster <u>").Append(name).Append("</u>\n");
        }

        html.Append("</dl>\n");
    }

    private static void Error(StringBuilder html, string heading, JsonNode body)
    {
        html.Append("<h4>").Append(heading).Append("</h4>\n");
        if (body["error"] is { } error)
        {
            html.Append("<p>").Append(Text(error)).Append("</p>\n");
        }
    }

    /// <summary>The start page: the services and how they call each other, with links that load the product page.</summary>
    public static string Index(IReadOnlyList<(string Service, string Calls)> services)
    {
        var html = new StringBuilder();
        Head(html, "Simple Bookstore App");
        html.Append("<div style=\"padding:0 20px\"><h3>Hello! This is a simple bookstore application consisting of three services as shown below</h3>\n")
            .Append("<table border=\"1\" cellpadding=\"4\"><tr><th>service</th><th>calls</th></tr>\n");
        foreach (var (service, calls) in services)
        {
            html.Append("<tr><td>").Append(HtmlEncode(service)).Append("</td><td>").Append(HtmlEncode(calls)).Append("</td></tr>\n");
        }

        html.Append("</table>\n<p>Click on one of the links below to auto generate a request to the backend as a real user or a tester</p>\n")
            .Append("<p><a href=\"productpage?u=normal\">Normal user</a></p>\n<p><a href=\"productpage?u=test\">Test user</a></p>\n</div>\n</body>\n</html>\n");
        return html.ToString();
    }

    private static void Head(StringBuilder html, string title) =>
        html.Append("<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n<title>").Append(title).Append("</title>\n<style>")
            .Append(Style).Append("</style>\n</head>\n<body>\n");

    /// <summary>A JSON value as encoded page text: strings without their quotes, numbers as written.</summary>
    private static string Text(JsonNode? node) => HtmlEncode(node is JsonValue v && v.TryGetValue<string>(out var s) ? s : node?.ToJsonString() ?? "");
}
