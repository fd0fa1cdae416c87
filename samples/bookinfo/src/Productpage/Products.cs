using System.Text.Json.Nodes;

namespace Waylay.Samples.Bookinfo.Productpage;

/// <summary>The shop's catalogue: one book, as in Istio's Bookinfo.</summary>
internal static class Products
{
    public const string Title = "The Comedy of Errors";

    /// <summary>Trusted HTML, shown as it is.</summary>
    public const string DescriptionHtml =
        "<a href=\"https://en.wikipedia.org/wiki/The_Comedy_of_Errors\">Wikipedia Summary</a>: The Comedy of Errors is one of "
        + "<b>William Shakespeare's</b> early plays. It is his shortest and one of his most farcical comedies, with a major "
        + "part of the humour coming from slapstick and mistaken identity, in addition to puns and word play.";

    public static JsonArray All() =>
    [
        new JsonObject { ["id"] = 0, ["title"] = Title, ["descriptionHtml"] = DescriptionHtml },
    ];
}
