#!/usr/bin/env dotnet
// Draws the package icon (nuget/icon.png, 128×128): a weight matrix W with its low-rank update B·A beside it.
//   dotnet run nuget/make-icon.cs          (from the repository root)
#:package SkiaSharp
#:package SkiaSharp.NativeAssets.Linux.NoDependencies
#:property PublishAot=false

using SkiaSharp;

const int size = 128;
using var surface = SKSurface.Create(new SKImageInfo(size, size, SKColorType.Rgba8888, SKAlphaType.Premul));
var canvas = surface.Canvas;
canvas.Clear(SKColors.Transparent);

using var background = new SKPaint { IsAntialias = true, Color = new SKColor(0x51, 0x2B, 0xD4) };
canvas.DrawRoundRect(new SKRoundRect(new SKRect(0, 0, size, size), 22), background);

// W: a frozen square matrix drawn as a 4×4 grid of cells.
using var cell = new SKPaint { IsAntialias = true, Color = new SKColor(0xE8, 0xE2, 0xFB) };
for (var row = 0; row < 4; row++)
{
    for (var col = 0; col < 4; col++)
    {
        canvas.DrawRoundRect(new SKRoundRect(SKRect.Create(16 + col * 15, 34 + row * 15, 12, 12), 2), cell);
    }
}

// B (tall, one column) and A (wide, one row): the trainable low-rank factors.
using var factor = new SKPaint { IsAntialias = true, Color = new SKColor(0xFF, 0xA3, 0x1A) };
canvas.DrawRoundRect(new SKRoundRect(SKRect.Create(86, 34, 12, 57), 3), factor);
canvas.DrawRoundRect(new SKRoundRect(SKRect.Create(16, 100, 57, 12), 3), factor);
using var plus = new SKPaint { IsAntialias = true, Color = SKColors.White, StrokeWidth = 4, StrokeCap = SKStrokeCap.Round };
canvas.DrawLine(106, 62, 118, 62, plus);
canvas.DrawLine(112, 56, 112, 68, plus);

// A thin bar on top: "fine-tuning a small part".
canvas.DrawRoundRect(new SKRoundRect(SKRect.Create(16, 14, 96, 8), 4), cell);
canvas.DrawRoundRect(new SKRoundRect(SKRect.Create(16, 14, 30, 8), 4), factor);

using var image = surface.Snapshot();
using var png = image.Encode(SKEncodedImageFormat.Png, 100);
var path = Path.GetFullPath(args.Length > 0 ? args[0] : "nuget/icon.png"); // run from the repository root
using (var file = File.Create(path))
{
    png.SaveTo(file);
}

Console.WriteLine($"Wrote {path} ({new FileInfo(path).Length} bytes)");
