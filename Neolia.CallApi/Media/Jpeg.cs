namespace Neolia.CallApi.Media;

/// <summary>Just enough of JPEG (ITU T.81) to refuse what is not one and read its size from the frame header.</summary>
public static class Jpeg
{
    public static (int Width, int Height)? Dimensions(ReadOnlySpan<byte> data)
    {
        if (data.Length < 4 || data[0] != 0xFF || data[1] != 0xD8) return null;
        var i = 2;
        while (i + 4 <= data.Length)
        {
            if (data[i] != 0xFF) return null;
            var marker = data[i + 1];
            if (marker == 0xFF) { i++; continue; } // fill byte
            var length = (data[i + 2] << 8) | data[i + 3];
            // SOF0..SOF15 carry the size, except DHT (C4), JPG (C8) and DAC (CC).
            if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC)
            {
                if (i + 9 > data.Length) return null;
                var height = (data[i + 5] << 8) | data[i + 6];
                var width = (data[i + 7] << 8) | data[i + 8];
                return width > 0 && height > 0 ? (width, height) : null;
            }
            if (marker == 0xDA || length < 2) return null; // scan data before any frame header
            i += 2 + length;
        }
        return null;
    }
}
