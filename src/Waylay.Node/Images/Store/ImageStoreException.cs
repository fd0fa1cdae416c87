namespace Waylay.Node.Images.Store;

/// <summary>An image that is not in the store, or an archive that cannot be loaded; the message names the fix.</summary>
internal sealed class ImageStoreException(string message) : Exception(message);
