//! The generator's randomness and the names it draws from: offices,
//! places, leaders, verbs and objects per field, and weighted picks.

/// SplitMix64: tiny, fast, and the same sequence on every platform and
/// every version of every crate (unlike a library's `StdRng`).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed ^ 0x5DEE_CE66_D1CE_4E5B)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n.max(1))) >> 64) as u64
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// Exponentially distributed, with this mean.
    pub fn exp(&mut self, mean: f64) -> f64 {
        -mean * (1.0 - self.unit()).ln()
    }
}

pub(crate) const OFFICES: &[(&str, &str, &str)] = &[
    ("VP", "Văn phòng HĐND và UBND", "office"),
    ("TCKH", "Phòng Tài chính - Kế hoạch", "office"),
    ("TNMT", "Phòng Tài nguyên và Môi trường", "office"),
    (
        "NNPTNT",
        "Phòng Nông nghiệp và Phát triển nông thôn",
        "office",
    ),
    ("KTHT", "Phòng Kinh tế - Hạ tầng", "office"),
    ("NV", "Phòng Nội vụ", "office"),
    ("TP", "Phòng Tư pháp", "office"),
    ("GDDT", "Phòng Giáo dục và Đào tạo", "office"),
    ("VHTT", "Phòng Văn hóa - Thông tin", "office"),
    ("LDTBXH", "Phòng Lao động - Thương binh và Xã hội", "office"),
    ("YT", "Phòng Y tế", "office"),
    ("TTR", "Thanh tra", "office"),
    ("TTPTQD", "Trung tâm Phát triển quỹ đất", "agency"),
    ("BQLDA", "Ban Quản lý dự án đầu tư xây dựng", "agency"),
    ("VPDKDD", "Chi nhánh Văn phòng Đăng ký đất đai", "agency"),
    ("BCHQS", "Ban Chỉ huy Quân sự", "agency"),
    ("CAH", "Công an", "agency"),
    ("CCT", "Chi cục Thuế", "agency"),
    ("BHXH", "Bảo hiểm xã hội", "agency"),
    ("TTYT", "Trung tâm Y tế", "agency"),
];

pub(crate) const PLACE_FIRST: &[&str] = &[
    "Tân",
    "Bình",
    "Phú",
    "Long",
    "An",
    "Hòa",
    "Thạnh",
    "Phước",
    "Vĩnh",
    "Mỹ",
    "Đông",
    "Tây",
    "Hiệp",
    "Thường",
    "Lạc",
    "Hưng",
];
pub(crate) const PLACE_SECOND: &[&str] = &[
    "Thành", "Mỹ", "Lập", "Định", "Hòa", "Lợi", "Phú", "An", "Thuận", "Hiệp", "Tiến", "Hưng",
    "Khánh", "Bình", "Lộc", "Cuốc",
];

pub(crate) const LEADERS: &[(&str, &str, &str)] = &[
    ("chutich", "Nguyễn Văn Chính", "Chủ tịch UBND"),
    ("pct.kinhte", "Trần Thị Kinh", "Phó Chủ tịch UBND (kinh tế)"),
    (
        "pct.vanhoa",
        "Lê Văn Hóa",
        "Phó Chủ tịch UBND (văn hóa - xã hội)",
    ),
    (
        "pct.quyhoach",
        "Phạm Quốc Hoạch",
        "Phó Chủ tịch UBND (quy hoạch)",
    ),
];

pub(crate) const VERBS: &[&str] = &[
    "Triển khai",
    "Hoàn thành",
    "Tổ chức thực hiện",
    "Rà soát, đánh giá",
    "Đôn đốc, kiểm tra",
    "Xây dựng kế hoạch",
    "Tham mưu ban hành",
    "Báo cáo kết quả",
];

pub(crate) fn objects(field: &str) -> &'static [&'static str] {
    match field {
        "agriculture" => &[
            "chương trình xây dựng nông thôn mới nâng cao",
            "chuyển đổi cơ cấu cây trồng",
            "tiêm phòng vắc xin cho đàn gia súc",
        ],
        "disaster" => &[
            "phương án phòng chống thiên tai mùa mưa bão",
            "diễn tập tìm kiếm cứu nạn",
        ],
        "water" => &[
            "dự án cấp nước sạch nông thôn",
            "nâng cấp trạm cấp nước tập trung",
        ],
        "industry" => &[
            "hạ tầng cụm công nghiệp",
            "xúc tiến thu hút đầu tư",
            "hỗ trợ doanh nghiệp tháo gỡ khó khăn",
        ],
        "trade" => &["chợ nông thôn", "chương trình bình ổn thị trường"],
        "environment" => &[
            "cấp giấy chứng nhận quyền sử dụng đất",
            "xử lý điểm tập kết rác thải",
            "kiểm tra khai thác khoáng sản",
        ],
        "planning_construction" => &[
            "quy hoạch chung đô thị",
            "nâng cấp, mở rộng đường giao thông",
            "kiểm tra trật tự xây dựng",
        ],
        "finance" => &[
            "thu ngân sách nhà nước",
            "giải ngân vốn đầu tư công",
            "quyết toán dự án hoàn thành",
        ],
        "site_clearance" => &[
            "bồi thường, giải phóng mặt bằng dự án",
            "tái định cư cho hộ dân bị ảnh hưởng",
        ],
        "culture_society" => &[
            "phong trào toàn dân đoàn kết xây dựng đời sống văn hóa",
            "kiên cố hóa trường lớp học",
            "chi trả trợ cấp xã hội",
        ],
        "internal_affairs" => &[
            "giải quyết đơn thư khiếu nại, tố cáo",
            "cải cách hành chính",
            "đảm bảo an ninh trật tự",
        ],
        _ => &[
            "chương trình công tác năm",
            "chuyển đổi số trong cơ quan nhà nước",
            "kết luận của Ban Thường vụ",
        ],
    }
}

/// Lead departments are not equally busy: weights fall off like 1/√rank.
pub(crate) struct Weighted {
    cumulative: Vec<f64>,
}

impl Weighted {
    pub(crate) fn new(n: usize, f: impl Fn(usize) -> f64) -> Self {
        let mut total = 0.0;
        let cumulative = (0..n)
            .map(|i| {
                total += f(i);
                total
            })
            .collect();
        Self { cumulative }
    }

    pub(crate) fn pick(&self, rng: &mut Rng) -> usize {
        let total = self.cumulative.last().copied().unwrap_or(0.0);
        let x = rng.unit() * total;
        self.cumulative
            .partition_point(|c| *c <= x)
            .min(self.cumulative.len().saturating_sub(1))
    }
}
