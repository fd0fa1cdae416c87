namespace Waylay.Samples.Bookinfo;

/// <summary>The four Bookinfo services; the process plays one, chosen by its first argument.</summary>
internal enum Role
{
    Productpage,
    Details,
    Reviews,
    Ratings,
}
