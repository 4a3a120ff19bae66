/**
 * The glue of « Flouter l’arrière-plan »: the camera track is played in a hidden video, a small copy of its frames
 * goes to MediaPipe's selfie segmentation (wasm and model served by Ostal itself, never fetched elsewhere), and a
 * canvas draws the person sharp over the blurred background; the canvas's captured track is what is sent and shown.
 *
 * MediaPipe Tasks' ImageSegmenter (@mediapipe/tasks-vision) cannot take the selfie model shipped in npm: that
 * .tflite has no metadata (« requires specifying NormalizationOptions metadata »), and the models with metadata are
 * only on Google's storage, which Ostal must not contact. The legacy solution of @mediapipe/selfie_segmentation runs
 * that very model, and its files are all in the package.
 */
import solutionScriptUrl from '@mediapipe/selfie_segmentation/selfie_segmentation.js?url';
import graphUrl from '@mediapipe/selfie_segmentation/selfie_segmentation.binarypb?url';
import modelUrl from '@mediapipe/selfie_segmentation/selfie_segmentation_landscape.tflite?url';
import simdLoaderUrl from '@mediapipe/selfie_segmentation/selfie_segmentation_solution_simd_wasm_bin.js?url';
import simdWasmUrl from '@mediapipe/selfie_segmentation/selfie_segmentation_solution_simd_wasm_bin.wasm?url';
import loaderUrl from '@mediapipe/selfie_segmentation/selfie_segmentation_solution_wasm_bin.js?url';
import wasmUrl from '@mediapipe/selfie_segmentation/selfie_segmentation_solution_wasm_bin.wasm?url';
import {
  BACKGROUND_SCALE,
  backgroundBlurRadius,
  CAMERA_OFF_RECHECK_MS,
  MASK_HEIGHT,
  MASK_WIDTH,
  nextSegmentationDelay,
  outputFrameRate,
} from './blur';

/** The package's files, by the name the solution asks for, at their URL in Ostal's build. */
const FILES: Record<string, string> = {
  'selfie_segmentation.binarypb': graphUrl,
  'selfie_segmentation_landscape.tflite': modelUrl,
  'selfie_segmentation_solution_simd_wasm_bin.js': simdLoaderUrl,
  'selfie_segmentation_solution_simd_wasm_bin.wasm': simdWasmUrl,
  'selfie_segmentation_solution_wasm_bin.js': loaderUrl,
  'selfie_segmentation_solution_wasm_bin.wasm': wasmUrl,
};

interface SegmentationResults {
  segmentationMask: CanvasImageSource;
}
interface SelfieSegmentationSolution {
  setOptions(options: { modelSelection?: number; selfieMode?: boolean }): void;
  onResults(listener: (results: SegmentationResults) => void): void;
  initialize(): Promise<void>;
  send(inputs: { image: HTMLCanvasElement }): Promise<void>;
}
type SolutionClass = new (config: { locateFile: (file: string) => string }) => SelfieSegmentationSolution;

/** Runs the model on a frame and draws the mask (person opaque, background transparent) into `target`. */
interface Segmenter {
  segment(frame: HTMLCanvasElement, target: CanvasRenderingContext2D): Promise<void>;
}

let segmenterPromise: Promise<Segmenter> | null = null;

function loadScript(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = url;
    script.async = true;
    script.onload = () => resolve();
    script.onerror = () => reject(new Error(`blur: cannot load ${url}`));
    document.head.append(script);
  });
}

/** The model, loaded once per page and shared (one segmentation at a time). */
function loadSegmenter(): Promise<Segmenter> {
  segmenterPromise ??= (async () => {
    const global = globalThis as unknown as { SelfieSegmentation?: SolutionClass };
    if (!global.SelfieSegmentation) await loadScript(solutionScriptUrl);
    const Solution = global.SelfieSegmentation;
    if (!Solution) throw new Error('blur: the segmentation script defined nothing');
    const solution = new Solution({
      locateFile: (file) => {
        const url = FILES[file];
        if (!url) throw new Error(`blur: unknown segmentation file ${file}`);
        return url;
      },
    });
    // Landscape model (256 × 144 input), no mirroring: the mask matches the frame sent.
    solution.setOptions({ modelSelection: 1, selfieMode: false });
    let target: CanvasRenderingContext2D | null = null;
    solution.onResults((results) => {
      if (!target) return;
      // Copied at once: the solution reuses its mask for the next frame.
      target.globalCompositeOperation = 'copy';
      target.drawImage(results.segmentationMask, 0, 0, target.canvas.width, target.canvas.height);
    });
    await solution.initialize();
    let queue = Promise.resolve();
    return {
      segment(frame, into) {
        const run = queue.then(async () => {
          target = into;
          try {
            await solution.send({ image: frame });
          } finally {
            target = null;
          }
        });
        queue = run.catch(() => undefined);
        return run;
      },
    };
  })();
  // A failed load may be tried again later (another meeting), not cached.
  segmenterPromise.catch(() => {
    segmenterPromise = null;
  });
  return segmenterPromise;
}

export interface BlurPipeline {
  /** The raw camera track read. */
  readonly source: MediaStreamTrack;
  /** The blurred track (what is sent and shown). */
  readonly output: MediaStreamTrack;
  /** Stop drawing and the output track (the camera track is left as it is). */
  stop(): void;
}

function canvas2d(width: number, height: number, willReadFrequently = false): CanvasRenderingContext2D {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d', { willReadFrequently });
  if (!ctx) throw new Error('blur: no 2d canvas');
  return ctx;
}

/**
 * Start blurring `source`. Rejects when the model cannot run here (missing file, no wasm, no WebGL): the caller
 * keeps the camera as it is and says blur is unavailable.
 */
export async function startBlur(source: MediaStreamTrack): Promise<BlurPipeline> {
  const segmenter = await loadSegmenter();
  const video = document.createElement('video');
  video.muted = true;
  video.playsInline = true;
  video.srcObject = new MediaStream([source]);
  await video.play();

  const settings = source.getSettings();
  const fps = outputFrameRate(settings.frameRate);
  const small = canvas2d(MASK_WIDTH, MASK_HEIGHT);
  const mask = canvas2d(MASK_WIDTH, MASK_HEIGHT);
  let out = canvas2d(video.videoWidth || settings.width || 640, video.videoHeight || settings.height || 360);
  const outCanvas = out.canvas;
  let background = canvas2d(1, 1);
  let person = canvas2d(1, 1);
  const output = outCanvas.captureStream(fps).getVideoTracks()[0];
  if (!output) throw new Error('blur: canvas capture gave no track');

  let stopped = false;
  let drawTimer: ReturnType<typeof setTimeout> | undefined;
  let segmentTimer: ReturnType<typeof setTimeout> | undefined;

  const draw = () => {
    if (stopped) return;
    const width = video.videoWidth;
    const height = video.videoHeight;
    if (width > 0 && height > 0 && video.readyState >= 2) {
      if (outCanvas.width !== width || outCanvas.height !== height) {
        outCanvas.width = width;
        outCanvas.height = height;
        out = outCanvas.getContext('2d')!;
      }
      const bw = Math.max(1, Math.round(width / BACKGROUND_SCALE));
      const bh = Math.max(1, Math.round(height / BACKGROUND_SCALE));
      if (background.canvas.width !== bw || background.canvas.height !== bh) background = canvas2d(bw, bh);
      if (person.canvas.width !== width || person.canvas.height !== height) person = canvas2d(width, height);
      // Background: a quarter-size copy, blurred (drawn a little larger so that the edges do not darken).
      const radius = backgroundBlurRadius(width);
      background.globalCompositeOperation = 'copy';
      background.filter = `blur(${radius}px)`;
      background.drawImage(video, -radius * 2, -radius * 2, bw + radius * 4, bh + radius * 4);
      background.filter = 'none';
      // Person: the small mask enlarged (the smoothing softens its edges), filled with the sharp frame.
      person.globalCompositeOperation = 'copy';
      person.imageSmoothingEnabled = true;
      person.drawImage(mask.canvas, 0, 0, width, height);
      person.globalCompositeOperation = 'source-in';
      person.drawImage(video, 0, 0, width, height);
      out.globalCompositeOperation = 'copy';
      out.imageSmoothingEnabled = true;
      out.drawImage(background.canvas, 0, 0, width, height);
      out.globalCompositeOperation = 'source-over';
      out.drawImage(person.canvas, 0, 0);
    }
    drawTimer = setTimeout(draw, 1000 / fps);
  };

  const segment = () => {
    if (stopped) return;
    if (!source.enabled || video.readyState < 2) {
      segmentTimer = setTimeout(segment, CAMERA_OFF_RECHECK_MS);
      return;
    }
    const started = performance.now();
    small.globalCompositeOperation = 'copy';
    small.drawImage(video, 0, 0, MASK_WIDTH, MASK_HEIGHT);
    void segmenter
      .segment(small.canvas, mask)
      .catch(() => undefined)
      .finally(() => {
        if (!stopped) segmentTimer = setTimeout(segment, nextSegmentationDelay(performance.now() - started));
      });
  };

  draw();
  segment();
  return {
    source,
    output,
    stop() {
      stopped = true;
      clearTimeout(drawTimer);
      clearTimeout(segmentTimer);
      output.stop();
      video.pause();
      video.srcObject = null;
    },
  };
}
