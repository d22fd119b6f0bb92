namespace MultiModalIndexer.Inference.Ocr;

/// <summary>OCR could not run (engine or language data missing, unreadable image). One-line reason.</summary>
public sealed class OcrException(string message, Exception? inner = null) : Exception(message, inner);
