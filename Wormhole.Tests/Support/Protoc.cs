using System.Diagnostics;
using System.Text;

namespace Wormhole.Tests.Support;

/// <summary>
/// The Protocol Buffers compiler (Google's C++ implementation) as a second, independent protobuf implementation:
/// it checks a .proto, encodes text format to bytes and decodes bytes to text format. When it is not installed the
/// calling test fails and says how to install it (<c>./test.sh</c> installs it).
/// </summary>
internal static class Protoc
{
    private static readonly Lazy<string?> Location = new(Find);

    /// <summary>Checks that <paramref name="protoFile"/> compiles; fails the test with protoc's message when it does not.</summary>
    public static void Compile(string protoFile)
    {
        var descriptors = Path.Combine(Path.GetTempPath(), $"wormhole-{Guid.NewGuid():N}.pb");
        try
        {
            var (exit, _, errors) = Run(protoFile, ["--descriptor_set_out=" + descriptors], []);
            Assert.True(exit == 0, $"protoc rejects {protoFile}:\n{errors}");
        }
        finally
        {
            File.Delete(descriptors);
        }
    }

    /// <summary>Encodes <paramref name="text"/> (protobuf text format) as the message <paramref name="messageType"/> of <paramref name="protoFile"/>.</summary>
    public static byte[] Encode(string protoFile, string messageType, string text)
    {
        var (exit, output, errors) = Run(protoFile, ["--encode=" + messageType], Encoding.UTF8.GetBytes(text));
        Assert.True(exit == 0, $"protoc --encode={messageType} failed:\n{errors}\ninput:\n{text}");
        return output;
    }

    /// <summary>Decodes <paramref name="bytes"/> as the message <paramref name="messageType"/> of <paramref name="protoFile"/>, to text format.</summary>
    public static string Decode(string protoFile, string messageType, byte[] bytes)
    {
        var (exit, output, errors) = Run(protoFile, ["--decode=" + messageType], bytes);
        Assert.True(exit == 0, $"protoc --decode={messageType} failed on {Convert.ToHexString(bytes)}:\n{errors}");
        return Encoding.UTF8.GetString(output).ReplaceLineEndings("\n");
    }

    private static (int Exit, byte[] Output, string Errors) Run(string protoFile, string[] arguments, byte[] input)
    {
        var protoc = Location.Value ?? throw new Xunit.Sdk.XunitException(
            "protoc (the Protocol Buffers compiler) is not installed, and the schema interop tests need it: run ./test.sh, " +
            "which installs it, or install it yourself: `sudo apt-get install -y protobuf-compiler` (Debian, Ubuntu), " +
            "`brew install protobuf` (macOS), `winget install protobuf` (Windows).");
        var info = new ProcessStartInfo(protoc)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("--proto_path=" + Path.GetDirectoryName(Path.GetFullPath(protoFile)));
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.ArgumentList.Add(Path.GetFileName(protoFile));
        using var process = Process.Start(info)!;
        var output = new MemoryStream();
        var reading = process.StandardOutput.BaseStream.CopyToAsync(output);
        var errors = process.StandardError.ReadToEndAsync();
        process.StandardInput.BaseStream.Write(input);
        process.StandardInput.Close();
        if (!process.WaitForExit(Bounds.Long))
        {
            process.Kill();
            Assert.Fail($"protoc did not finish within {Bounds.Long.TotalSeconds} s");
        }

        Assert.True(Task.WaitAll([reading, errors], Bounds.Long), "protoc's output did not close");
        return (process.ExitCode, output.ToArray(), errors.Result);
    }

    private static string? Find()
    {
        var name = OperatingSystem.IsWindows() ? "protoc.exe" : "protoc";
        return (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, name))
            .FirstOrDefault(File.Exists);
    }
}
