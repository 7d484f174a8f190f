// ssd_mobilenet_cost: what the seed's model, TensorFlow's SSD MobileNet v2 COCO (ssd_mobilenet_v2_coco_2018_03_29),
// costs per frame in OpenCV's DNN module on this machine, without its weights (in no Debian package, and there is
// no internet here). Built with the tests, never run by ctest; docs/examples.md quotes its output.
//
// It builds, with cv::dnn's layer API (Net::addLayer), the network cv::dnn makes of the frozen graph and OpenCV's
// text graph for it (ssd_mobilenet_v2_coco_2018_03_29.pbtxt, opencv_extra 4.6.0), layer for layer, with random
// weights of the real shapes:
//   - the graph's preprocessing: x * 2/255 - 1 (Preprocessor/mul, Preprocessor/sub)
//   - MobileNetV2, depth multiplier 1: a 3x3 stride-2 convolution to 32 channels, the 17 inverted residual
//     blocks (expansion 6 but the first; depthwise 3x3; linear 1x1 projection; a residual add where the shape
//     stays), and Conv_1, 1x1 to 1280; batch normalisation folded into the convolutions' biases, as OpenCV does
//   - the SSD feature maps: expanded_conv_13's expansion (19x19x576), Conv_1 (10x10x1280), and four extra layers
//     layer_19_{1,2}_Conv2d_{2..5}: 1x1 to half the depth, depthwise 3x3 stride 2, 1x1 to 512, 256, 256, 128
//     (5x5, 3x3, 2x2, 1x1); ReLU6 after each convolution but the projections; TensorFlow's SAME padding
//   - the box predictor: on each map, a 3x3 convolution to anchors x 4 box codes and one to anchors x 91 class
//     scores (kernel_size: 3 in the model's pipeline.config); 3 anchors on the first map, 6 on the others,
//     1917 boxes; Permute + Flatten + Concat, Sigmoid on the scores
//   - PriorBox per map with the text graph's anchor widths and heights, and DetectionOutput with its
//     parameters (91 classes, CENTER_SIZE, NMS 0.6, top_k 100, confidence 0.01, loc_pred_transposed).
// It counts the multiply-adds of what it built (OpenCV's Net::getFLOPS counts a depthwise convolution as a full
// one, so it is printed only for reference) and its parameters, then times what object_detector's classify()
// does: blobFromImage of a 720x528 frame (Megamind's size) to 300x300, RGB, then forward(); and the forward pass
// alone. Median and p90 over --runs after --warmup, with OpenCV's default backend and CPU target.
//
// Random weights change one thing: how many of the 1917 x 90 class scores pass DetectionOutput's 0.01 and go
// into its per-class NMS. --class-bias sets that (it prints how many pass); the default leaves a few hundred, as a
// model that is sure of the background would, and --class-bias 0 puts every score near 0.5: NMS's worst case.
//
//   ssd_mobilenet_cost [--runs 50] [--warmup 5] [--threads N] [--class-bias -6] [--image FILE] [--layers]

#include <cxxopts.hpp>
#include <opencv2/core.hpp>
#include <opencv2/core/utility.hpp>
#include <opencv2/dnn.hpp>
#include <opencv2/imgcodecs.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <map>
#include <string>
#include <vector>

namespace {

constexpr int num_classes = 91;  // 90 COCO classes and the background

struct Blob {
  int id = 0;  // the layer that makes it (output 0)
  int channels = 0;
  int height = 0;
  int width = 0;
};

// The network, built layer by layer; counts multiply-adds and parameters as it goes.
class Builder {
 public:
  Builder(double class_bias, std::uint64_t seed) : class_bias_(class_bias), rng_(seed) {
    net_.setInputsNames({"image_tensor"});
  }

  cv::dnn::Net& net() { return net_; }
  [[nodiscard]] double macs(const std::string& group) const { return macs_.count(group) ? macs_.at(group) : 0; }
  [[nodiscard]] double total_macs() const {
    double sum = 0;
    for (const auto& [group, macs] : macs_) sum += macs;
    return sum;
  }
  [[nodiscard]] double parameters() const { return parameters_; }

  // x * 2/255 - 1, as the graph's Preprocessor does.
  Blob preprocess(const Blob& image) {
    cv::dnn::LayerParams p;
    p.set("power", 1.0);
    p.set("scale", 2.0 / 255.0);
    p.set("shift", -1.0);
    return add("Preprocessor/sub", "Power", p, {image}, image.channels, image.height, image.width);
  }

  // A convolution with TensorFlow's SAME padding, batch normalisation folded into its bias, ReLU6 or nothing after.
  // Depthwise: one group per channel, as many outputs as inputs (outputs is ignored).
  Blob conv(const std::string& group, const std::string& name, const Blob& in, int outputs, int kernel, int stride,
            bool depthwise, bool relu6, double weight_std_scale = 1.0, double bias = 0.0, double bias_std = 0.1) {
    const int groups = depthwise ? in.channels : 1;
    if (depthwise) outputs = in.channels;
    const int per_group = in.channels / groups;
    const int height = (in.height + stride - 1) / stride;  // SAME: ceil(in / stride)
    const int width = (in.width + stride - 1) / stride;

    cv::dnn::LayerParams p;
    p.set("kernel_size", kernel);
    p.set("stride", stride);
    p.set("pad_mode", "SAME");
    p.set("num_output", outputs);
    p.set("group", groups);
    p.set("bias_term", true);
    const int fan_in = per_group * kernel * kernel;
    // He initialisation before a ReLU, variance 1/fan_in before none: activations keep their scale.
    const double std = weight_std_scale * std::sqrt((relu6 ? 2.0 : 1.0) / fan_in);
    cv::Mat weights({outputs, per_group, kernel, kernel}, CV_32F);
    rng_.fill(weights, cv::RNG::NORMAL, 0.0, std);
    cv::Mat biases(1, outputs, CV_32F);
    rng_.fill(biases, cv::RNG::NORMAL, bias, bias_std);
    p.blobs = {weights, biases};

    macs_[group] += static_cast<double>(outputs) * per_group * kernel * kernel * height * width;
    parameters_ += static_cast<double>(weights.total() + biases.total());
    Blob out = add(name + "/Conv2D", "Convolution", p, {in}, outputs, height, width);
    if (!relu6) return out;
    cv::dnn::LayerParams r;
    r.set("min_value", 0.0F);
    r.set("max_value", 6.0F);
    return add(name + "/Relu6", "ReLU6", r, {out}, outputs, height, width);
  }

  Blob add_residual(const std::string& name, const Blob& a, const Blob& b) {
    cv::dnn::LayerParams p;
    p.set("operation", "sum");
    return add(name, "Eltwise", p, {a, b}, a.channels, a.height, a.width);
  }

  // MobileNetV2's inverted residual block: expand (unless t = 1), depthwise, project; the add where shapes match.
  // Returns the block's output and, through expanded, its expansion's (the first SSD map comes from one).
  Blob inverted_residual(int index, const Blob& in, int expansion, int outputs, int stride, Blob* expanded = nullptr) {
    const std::string name =
        "FeatureExtractor/MobilenetV2/expanded_conv" + (index == 0 ? "" : "_" + std::to_string(index));
    Blob x = in;
    if (expansion != 1) x = conv("backbone", name + "/expand", x, in.channels * expansion, 1, 1, false, true);
    if (expanded != nullptr) *expanded = x;
    x = conv("backbone", name + "/depthwise", x, 0, 3, stride, true, true);
    x = conv("backbone", name + "/project", x, outputs, 1, 1, false, false);
    if (stride == 1 && in.channels == outputs) x = add_residual(name + "/add", x, in);
    return x;
  }

  // One feature map's box predictor: box codes and class scores (3x3 convolutions, no activation), each
  // permuted to NHWC and flattened, as OpenCV's TensorFlow importer does; and its PriorBox.
  void box_predictor(int index, const Blob& map, const Blob& image, const std::vector<float>& widths,
                     const std::vector<float>& heights) {
    const std::string name = "BoxPredictor_" + std::to_string(index);
    const int anchors = static_cast<int>(widths.size());
    const Blob boxes = conv("heads", name + "/BoxEncodingPredictor", map, anchors * 4, 3, 1, false, false);
    // The class scores' weights are a tenth of the usual scale so that --class-bias decides how many pass.
    const Blob scores =
        conv("heads", name + "/ClassPredictor", map, anchors * num_classes, 3, 1, false, false, 0.1, class_bias_, 0.5);
    box_codes_.push_back(flatten(name + "/BoxEncodingPredictor", boxes));
    class_scores_.push_back(flatten(name + "/ClassPredictor", scores));
    boxes_ += map.height * map.width * anchors;

    cv::dnn::LayerParams p;
    p.set("flip", false);
    p.set("clip", false);
    p.set("width", cv::dnn::DictValue::arrayReal(widths.data(), static_cast<int>(widths.size())));
    p.set("height", cv::dnn::DictValue::arrayReal(heights.data(), static_cast<int>(heights.size())));
    const std::vector<float> variance{0.1F, 0.1F, 0.2F, 0.2F};
    p.set("variance", cv::dnn::DictValue::arrayReal(variance.data(), 4));
    priors_.push_back(add("PriorBox_" + std::to_string(index), "PriorBox", p, {boxes, image}, 2, 1, 0));
  }

  // Concat, Sigmoid and DetectionOutput with the text graph's parameters: [1, 1, N, 7].
  void detection_output() {
    const Blob codes = concat("BoxEncodingPredictor/concat", box_codes_, 1);
    Blob scores = concat("ClassPredictor/concat", class_scores_, 1);
    cv::dnn::LayerParams s;
    scores = add("ClassPredictor/concat/sigmoid", "Sigmoid", s, {scores}, scores.channels, 1, 1);
    const Blob priors = concat("PriorBox/concat", priors_, 2);

    cv::dnn::LayerParams p;
    p.set("num_classes", num_classes);
    p.set("share_location", true);
    p.set("background_label_id", 0);
    p.set("nms_threshold", 0.6F);
    p.set("top_k", 100);
    p.set("code_type", "CENTER_SIZE");
    p.set("keep_top_k", 100);
    p.set("confidence_threshold", 0.01F);
    p.set("loc_pred_transposed", true);
    add("detection_out", "DetectionOutput", p, {codes, scores, priors}, 1, 1, 7);
  }

  [[nodiscard]] int boxes() const { return boxes_; }

 private:
  Blob flatten(const std::string& name, const Blob& in) {
    cv::dnn::LayerParams p;
    const int order[] = {0, 2, 3, 1};
    p.set("order", cv::dnn::DictValue::arrayInt(order, 4));
    const Blob nhwc = add(name + "/BiasAdd/Permute", "Permute", p, {in}, in.height, in.width, in.channels);
    cv::dnn::LayerParams f;
    f.set("axis", 1);
    return add(name + "/BiasAdd/Flatten", "Flatten", f, {nhwc}, in.channels * in.height * in.width, 1, 1);
  }

  Blob concat(const std::string& name, const std::vector<Blob>& inputs, int axis) {
    cv::dnn::LayerParams p;
    p.set("axis", axis);
    return add(name, "Concat", p, inputs, 0, 0, 0);
  }

  Blob add(const std::string& name, const std::string& type, cv::dnn::LayerParams& params,
           const std::vector<Blob>& inputs, int channels, int height, int width) {
    params.name = name;
    params.type = type;
    const int id = net_.addLayer(name, type, params);
    for (std::size_t i = 0; i < inputs.size(); ++i) net_.connect(inputs[i].id, 0, id, static_cast<int>(i));
    return {id, channels, height, width};
  }

  double class_bias_;
  cv::RNG rng_;
  cv::dnn::Net net_;
  std::map<std::string, double> macs_;
  double parameters_ = 0;
  std::vector<Blob> box_codes_, class_scores_, priors_;
  int boxes_ = 0;
};

// The anchors of ssd_mobilenet_v2_coco_2018_03_29.pbtxt (PriorBox_0..5), in pixels of the 300x300 input.
struct Anchors {
  std::vector<float> widths, heights;
};
const Anchors anchors[] = {
    {{30.0F, 84.8528137F, 42.4264069F}, {30.0F, 42.4264069F, 84.8528137F}},
    {{105.0F, 148.492432F, 74.2462158F, 181.865341F, 60.5914612F, 125.499001F},
     {105.0F, 74.2462158F, 148.492432F, 60.6217766F, 181.956329F, 125.499001F}},
    {{150.0F, 212.132034F, 106.066017F, 259.807617F, 86.5592270F, 171.026306F},
     {150.0F, 106.066017F, 212.132034F, 86.6025391F, 259.937622F, 171.026306F}},
    {{195.0F, 275.771637F, 137.885818F, 337.749908F, 112.527000F, 216.333084F},
     {195.0F, 137.885818F, 275.771637F, 112.583305F, 337.918915F, 216.333084F}},
    {{240.0F, 339.411255F, 169.705627F, 415.692200F, 138.494766F, 261.533936F},
     {240.0F, 169.705627F, 339.411255F, 138.564072F, 415.900208F, 261.533936F}},
    {{285.0F, 403.050873F, 201.525436F, 493.634491F, 164.462540F, 292.403839F},
     {285.0F, 201.525436F, 403.050873F, 164.544830F, 493.881470F, 292.403839F}},
};

// Returns the six feature maps the box predictor reads.
std::vector<Blob> build_ssd_mobilenet_v2(Builder& b) {
  const Blob image{0, 3, 300, 300};
  Blob x = b.preprocess(image);
  x = b.conv("backbone", "FeatureExtractor/MobilenetV2/Conv", x, 32, 3, 2, false, true);
  // MobileNetV2's blocks: expansion t, output channels c, repeats n, first stride s.
  struct Stage {
    int t, c, n, s;
  };
  const Stage stages[] = {{1, 16, 1, 1}, {6, 24, 2, 2},  {6, 32, 3, 2}, {6, 64, 4, 2},
                          {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};
  Blob map_19x19;
  int index = 0;
  for (const Stage& stage : stages) {
    for (int i = 0; i < stage.n; ++i, ++index) {
      x = b.inverted_residual(index, x, stage.t, stage.c, i == 0 ? stage.s : 1, index == 13 ? &map_19x19 : nullptr);
    }
  }
  x = b.conv("backbone", "FeatureExtractor/MobilenetV2/Conv_1", x, 1280, 1, 1, false, true);
  std::vector<Blob> maps{map_19x19, x};
  const int depths[] = {512, 256, 256, 128};
  for (int i = 0; i < 4; ++i) {
    const std::string n = std::to_string(i + 2);
    const std::string d = std::to_string(depths[i]);
    const std::string prefix = "FeatureExtractor/MobilenetV2/layer_19_";
    x = b.conv("extra layers", prefix + "1_Conv2d_" + n + "_1x1_" + std::to_string(depths[i] / 2), x, depths[i] / 2, 1,
               1, false, true);
    x = b.conv("extra layers", prefix + "2_Conv2d_" + n + "_3x3_s2_" + d + "_depthwise", x, 0, 3, 2, true, true);
    x = b.conv("extra layers", prefix + "2_Conv2d_" + n + "_3x3_s2_" + d, x, depths[i], 1, 1, false, true);
    maps.push_back(x);
  }
  for (int i = 0; i < 6; ++i)
    b.box_predictor(i, maps[static_cast<std::size_t>(i)], image, anchors[i].widths, anchors[i].heights);
  b.detection_output();
  return maps;
}

struct Stats {
  double median, p90, min, max;
};

Stats stats_of(std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  const auto at = [&](double q) {
    return ms[static_cast<std::size_t>(std::lround(q * static_cast<double>(ms.size() - 1)))];
  };
  return {at(0.5), at(0.9), ms.front(), ms.back()};
}

// The layer's group, from its name: what the per-layer times are summed by.
std::string group_of(const std::string& layer) {
  if (layer.rfind("FeatureExtractor/MobilenetV2/layer_19", 0) == 0) return "extra layers";
  if (layer.rfind("FeatureExtractor", 0) == 0 || layer.rfind("Preprocessor", 0) == 0) return "backbone";
  if (layer.rfind("BoxPredictor", 0) == 0 || layer.find("Predictor/concat") != std::string::npos) return "heads";
  return "priors, DetectionOutput";
}

}  // namespace

int main(int argc, char** argv) {
  cxxopts::Options options("ssd_mobilenet_cost",
                           "Times SSD MobileNet v2 COCO's network, built with random weights of its real shapes, in "
                           "OpenCV's DNN module (default backend, CPU)");
  auto option = options.add_options();
  option("runs", "timed runs", cxxopts::value<int>()->default_value("50"));
  option("warmup", "runs before timing", cxxopts::value<int>()->default_value("5"));
  option("threads", "cv::setNumThreads (0: OpenCV's default)", cxxopts::value<int>()->default_value("0"));
  option("class-bias", "the class scores' bias: how many scores pass 0.01 (0: nearly all, NMS's worst case)",
         cxxopts::value<double>()->default_value("-6"));
  option("image", "a picture to use as the frame, instead of 720x528 noise",
         cxxopts::value<std::string>()->default_value(""));
  option("layers", "also print the time of each group of layers");
  option("h,help", "this help");
  const auto args = options.parse(argc, argv);
  if (args.count("help") > 0) {
    std::puts(options.help().c_str());
    return 0;
  }
  const int runs = std::max(1, args["runs"].as<int>());
  const int warmup = std::max(0, args["warmup"].as<int>());
  if (args["threads"].as<int>() > 0) cv::setNumThreads(args["threads"].as<int>());

  Builder builder(args["class-bias"].as<double>(), 0x55d);
  const std::vector<Blob> maps = build_ssd_mobilenet_v2(builder);
  cv::dnn::Net& net = builder.net();
  net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
  net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);

  cv::Mat frame;
  if (const auto& path = args["image"].as<std::string>(); !path.empty()) {
    frame = cv::imread(path);
    if (frame.empty()) {
      std::fprintf(stderr, "ssd_mobilenet_cost: cannot read '%s'\n", path.c_str());
      return 1;
    }
  } else {
    frame.create(528, 720, CV_8UC3);
    cv::RNG(7).fill(frame, cv::RNG::UNIFORM, 0, 256);
  }

  const auto blob_of = [&](const cv::Mat& bgr) {
    return cv::dnn::blobFromImage(bgr, 1.0, cv::Size(300, 300), cv::Scalar(), true, false);
  };
  net.setInput(blob_of(frame));
  cv::Mat out = net.forward();
  if (out.dims != 4 || out.size[3] != 7) {
    std::fprintf(stderr, "ssd_mobilenet_cost: the network's output is not [1, 1, N, 7]\n");
    return 1;
  }
  std::vector<cv::Mat> sigmoid;
  net.forward(sigmoid, "ClassPredictor/concat/sigmoid");
  const cv::Mat scores = sigmoid.at(0).reshape(1, builder.boxes());  // boxes x 91, background first
  const int passing = cv::countNonZero(scores.colRange(1, num_classes) > 0.01);

  std::printf(
      "SSD MobileNet v2 COCO, the shapes of ssd_mobilenet_v2_coco_2018_03_29 with random weights, in OpenCV %s\n",
      CV_VERSION);
  std::printf("  input 300x300x3, %d boxes, %d classes; %.2f M parameters\n", builder.boxes(), num_classes,
              builder.parameters() / 1e6);
  // The maps' shapes as OpenCV infers them (HxWxC), not as the builder computed them.
  std::string shapes;
  for (const Blob& map : maps) {
    std::vector<cv::dnn::MatShape> in, out;
    net.getLayerShapes(cv::dnn::MatShape{1, 3, 300, 300}, map.id, in, out);
    shapes += (shapes.empty() ? "" : ", ") + std::to_string(out.at(0)[2]) + "x" + std::to_string(out.at(0)[3]) + "x" +
              std::to_string(out.at(0)[1]);
  }
  std::printf("  feature maps: %s\n", shapes.c_str());
  std::printf(
      "  multiply-adds: backbone %.3f G, extra layers %.3f G, box predictor heads %.3f G; total %.3f G = %.2f GFLOPs\n",
      builder.macs("backbone") / 1e9, builder.macs("extra layers") / 1e9, builder.macs("heads") / 1e9,
      builder.total_macs() / 1e9, 2 * builder.total_macs() / 1e9);
  std::printf("  (OpenCV's Net::getFLOPS: %.2f G; it counts a depthwise convolution as a full one)\n",
              static_cast<double>(net.getFLOPS(cv::dnn::MatShape{1, 3, 300, 300})) / 1e9);
  std::printf("  class scores above DetectionOutput's 0.01: %d of %d (--class-bias %g); detections: %d rows\n", passing,
              builder.boxes() * (num_classes - 1), args["class-bias"].as<double>(), out.size[2]);
  std::printf("  frame %dx%d; OpenCV threads %d (%s); %d warm-up runs, %d timed\n", frame.cols, frame.rows,
              cv::getNumThreads(), args["threads"].as<int>() > 0 ? "--threads" : "default", warmup, runs);

  for (int i = 0; i < warmup; ++i) {
    net.setInput(blob_of(frame));
    net.forward();
  }
  using clock = std::chrono::steady_clock;
  const auto ms_since = [](clock::time_point start) {
    return std::chrono::duration<double, std::milli>(clock::now() - start).count();
  };
  std::vector<double> frame_ms, forward_ms;
  std::map<std::string, double> group_ms;
  const std::vector<std::string> names = net.getLayerNames();
  const double tick_ms = 1000.0 / cv::getTickFrequency();
  const auto cpu_ms = [] {
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
  };
  const double cpu_start = cpu_ms();
  for (int i = 0; i < runs; ++i) {
    const auto start = clock::now();
    const cv::Mat blob = blob_of(frame);
    const auto forward_start = clock::now();
    net.setInput(blob);
    net.forward();
    forward_ms.push_back(ms_since(forward_start));
    frame_ms.push_back(ms_since(start));
    std::vector<double> ticks;
    net.getPerfProfile(ticks);
    for (std::size_t l = 0; l < ticks.size() && l < names.size(); ++l)
      group_ms[group_of(names[l])] += ticks[l] * tick_ms;
  }
  const double cpu_per_run = (cpu_ms() - cpu_start) / runs;
  const Stats f = stats_of(frame_ms);
  const Stats n = stats_of(forward_ms);
  std::printf("  blobFromImage + forward: median %.1f ms, p90 %.1f ms (min %.1f, max %.1f)\n", f.median, f.p90, f.min,
              f.max);
  std::printf("  forward alone:           median %.1f ms, p90 %.1f ms (min %.1f, max %.1f)\n", n.median, n.p90, n.min,
              n.max);
  std::printf("  CPU time (all threads) per blobFromImage + forward: %.1f ms (mean)\n", cpu_per_run);
  if (args.count("layers") > 0) {
    for (const auto& [group, ms] : group_ms) std::printf("    %-24s %.1f ms a run (mean)\n", group.c_str(), ms / runs);
  }
  return 0;
}
