//! What a public job posting offers: 职业 (GB/T 6565 major group) by the employer's
//! industry, a title and a description fitting the occupation, 学历要求, the salary range
//! and the number of people wanted.

use rand::Rng;
use rand::rngs::StdRng;

use super::random::{chance, pick_str, pick_weighted, standard_normal};

/// Shanghai's minimum monthly wage, rounded up to the next 500 yuan step.
const SALARY_FLOOR: u32 = 3_000;

/// 职业代码 (1 负责人, 2 专业技术, 3 办事人员, 4 服务人员, 5 农林牧渔, 6 生产制造, 8 其他;
/// 7 军人 never appears on a public posting) by the kind of industry.
pub(crate) fn occupation(rng: &mut StdRng, industry: &str) -> &'static str {
    let division: u32 = industry.parse().unwrap_or(0);
    let weights: [f64; 7] = match division {
        1..=5 => [3.0, 10.0, 7.0, 10.0, 65.0, 3.0, 2.0],
        13..=43 => [3.0, 15.0, 10.0, 12.0, 0.0, 58.0, 2.0],
        63..=69 | 73..=75 => [6.0, 55.0, 22.0, 15.0, 0.0, 0.0, 2.0],
        83..=92 => [3.0, 55.0, 20.0, 20.0, 0.0, 0.0, 2.0],
        _ => [4.0, 12.0, 18.0, 58.0, 0.0, 6.0, 2.0],
    };
    let codes = ["1", "2", "3", "4", "5", "6", "8"];
    let mix: Vec<(&str, f64)> = codes.into_iter().zip(weights).collect();
    pick_weighted(rng, &mix, "4")
}

fn titles(occupation: &str) -> &'static [&'static str] {
    match occupation {
        "1" => &[
            "部门经理",
            "项目经理",
            "门店店长",
            "运营总监",
            "区域经理",
            "行政主管",
            "生产主管",
            "销售经理",
        ],
        "2" => &[
            "软件开发工程师",
            "测试工程师",
            "数据分析师",
            "会计",
            "审计专员",
            "机械工程师",
            "电气工程师",
            "护士",
            "教师",
            "产品经理",
            "算法工程师",
            "建筑设计师",
            "工艺工程师",
            "药剂师",
            "法务专员",
        ],
        "3" => &[
            "行政专员",
            "文员",
            "前台接待",
            "人事专员",
            "客服专员",
            "仓库管理员",
            "资料员",
            "出纳",
        ],
        "4" => &[
            "营业员",
            "收银员",
            "快递员",
            "外卖骑手",
            "餐厅服务员",
            "厨师",
            "保安员",
            "保洁员",
            "物业管理员",
            "销售代表",
            "家政服务员",
            "养老护理员",
            "美发师",
            "网约车驾驶员",
            "客房服务员",
            "理货员",
        ],
        "5" => &["园艺工", "绿化养护工", "水产养殖工", "农机操作员", "蔬菜种植工"],
        "6" => &[
            "普工",
            "操作工",
            "数控车工",
            "焊工",
            "电工",
            "装配工",
            "质检员",
            "叉车司机",
            "设备维修工",
            "注塑工",
            "包装工",
            "钳工",
        ],
        _ => &["勤杂工", "辅助工", "搬运工"],
    }
}

fn duties(occupation: &str) -> &'static [&'static str] {
    match occupation {
        "1" => &["负责团队日常管理与绩效考核", "制定部门年度计划并推动落实", "统筹门店运营和人员排班"],
        "2" => &[
            "负责相关专业技术工作及文档编写",
            "参与项目方案设计与实施",
            "完成专业领域的分析与改进工作",
        ],
        "3" => &[
            "负责日常行政事务和文件管理",
            "处理客户咨询与投诉并做好记录",
            "负责出入库登记与台账管理",
        ],
        "4" => &["负责门店销售与顾客接待", "按要求完成配送或服务任务", "维护服务区域的秩序与卫生"],
        "5" => &["负责苗木种植与日常养护", "完成养殖场日常饲喂与记录", "操作农机完成田间作业"],
        "6" => &["按工艺要求完成生产操作", "负责设备日常点检与维护", "对产品进行检验并记录数据"],
        _ => &["协助完成现场辅助工作", "负责物料搬运与场地整理"],
    }
}

const EXPERIENCE: [&str; 4] = ["无经验可培训", "1年以上相关工作经验", "3年以上相关工作经验", "应届毕业生优先"];
const BENEFITS: [&str; 10] = [
    "缴纳五险一金",
    "周末双休",
    "包吃住",
    "提供员工宿舍",
    "餐费补贴",
    "年终奖金",
    "带薪年假",
    "交通补贴",
    "节日福利",
    "定期体检",
];

/// Service jobs (职业 4) that fit the industry: shops sell, carriers deliver, hotels serve.
fn service_titles(industry: &str) -> Option<&'static [&'static str]> {
    match industry.parse::<u32>().unwrap_or(0) {
        51 | 52 => Some(&["营业员", "收银员", "理货员", "销售代表", "电话销售"]),
        53..=60 => Some(&["快递员", "理货员", "网约车驾驶员", "外卖骑手", "客服专员"]),
        61 | 62 => Some(&["餐厅服务员", "厨师", "客房服务员", "外卖骑手"]),
        70 | 72 => Some(&["保安员", "保洁员", "物业管理员", "销售代表"]),
        80..=82 => Some(&["家政服务员", "养老护理员", "美发师", "保洁员"]),
        84 | 85 => Some(&["养老护理员", "护理员", "保洁员"]),
        _ => None,
    }
}

/// 岗位名称 for the occupation at an employer of this industry.
pub(crate) fn title(rng: &mut StdRng, occupation: &str, industry: &str) -> &'static str {
    match service_titles(industry) {
        Some(fitting) if occupation == "4" => pick_str(rng, fitting),
        _ => pick_str(rng, titles(occupation)),
    }
}

/// 学历要求: `00` 不限 or a GB/T 4658 code; specialists need degrees, service jobs rarely.
pub(crate) fn education_required(rng: &mut StdRng, occupation: &str) -> &'static str {
    let weights: [f64; 7] = match occupation {
        "1" => [10.0, 5.0, 40.0, 35.0, 5.0, 5.0, 0.0],
        "2" => [5.0, 15.0, 55.0, 22.0, 3.0, 0.0, 0.0],
        "3" => [15.0, 0.0, 20.0, 45.0, 10.0, 10.0, 0.0],
        "4" => [45.0, 0.0, 2.0, 8.0, 15.0, 18.0, 12.0],
        "5" => [50.0, 0.0, 0.0, 0.0, 0.0, 15.0, 35.0],
        "6" => [35.0, 0.0, 0.0, 8.0, 25.0, 17.0, 15.0],
        _ => [70.0, 0.0, 0.0, 0.0, 0.0, 10.0, 20.0],
    };
    let codes = ["00", "10", "20", "30", "40", "60", "70"];
    let mix: Vec<(&str, f64)> = codes.into_iter().zip(weights).collect();
    pick_weighted(rng, &mix, "00")
}

/// True when someone with 文化程度 `education` meets 学历要求 `required` (lower codes are
/// higher degrees; `00` accepts everyone).
pub(crate) fn meets_requirement(education: &str, required: &str) -> bool {
    required == "00" || education.parse::<u32>().unwrap_or(90) <= required.parse::<u32>().unwrap_or(0)
}

fn requirement_text(required: &str) -> &'static str {
    match required {
        "10" => "硕士研究生及以上学历",
        "20" => "本科及以上学历",
        "30" => "大专及以上学历",
        "40" => "中专及以上学历",
        "60" => "高中及以上学历",
        "70" => "初中及以上学历",
        _ => "学历不限",
    }
}

/// 岗位描述: duties, requirements and benefits in Chinese punctuation; some add working
/// hours after an ASCII comma and licensed trades quote the permit, so the writer has to
/// quote the field.
pub(crate) fn description(rng: &mut StdRng, occupation: &str, title: &str, required: &str) -> String {
    let mut text = format!(
        "岗位职责：{}。任职要求：{}，{}",
        pick_str(rng, duties(occupation)),
        requirement_text(required),
        pick_str(rng, &EXPERIENCE)
    );
    if matches!(title, "电工" | "焊工" | "叉车司机") {
        text.push_str("，持\"特种作业操作证\"上岗");
    }
    let first = pick_str(rng, &BENEFITS);
    let second = pick_str(rng, &BENEFITS);
    if first == second {
        text.push_str(&format!("。福利待遇：{first}。"));
    } else {
        text.push_str(&format!("。福利待遇：{first}、{second}。"));
    }
    if chance(rng, 0.2) {
        text.push_str("工作时间9:00-18:00, 做五休二");
    }
    text
}

/// (月薪下限, 月薪上限) in whole yuan, both multiples of 500, lower ≤ upper.
pub(crate) fn salary_range(rng: &mut StdRng, occupation: &str, required: &str) -> (u32, u32) {
    let by_occupation = match occupation {
        "1" => 14_000.0,
        "2" => 12_000.0,
        "3" => 7_000.0,
        "5" => 5_500.0,
        "6" => 7_000.0,
        "8" => 5_000.0,
        _ => 6_500.0,
    };
    let by_education = match required {
        "10" => 1.5,
        "20" => 1.15,
        "30" => 1.0,
        "40" => 0.95,
        "60" => 0.9,
        "70" => 0.85,
        _ => 0.9,
    };
    let noise = (0.25 * standard_normal(rng)).exp();
    let lower = ((by_occupation * by_education * noise / 500.0).round() as u32 * 500).clamp(SALARY_FLOOR, 60_000);
    let spread = rng.random_range(1.2..1.8);
    let upper = ((f64::from(lower) * spread / 500.0).round() as u32 * 500).max(lower + 500);
    (lower, upper)
}

/// 招聘人数: mostly 1–5, a tenth 6–10, a few up to 30.
pub(crate) fn headcount(rng: &mut StdRng) -> u32 {
    let band = rng.random::<f64>();
    if band < 0.84 {
        pick_weighted(rng, &[(1, 38.0), (2, 20.0), (3, 12.0), (4, 5.0), (5, 9.0)], 1)
    } else if band < 0.96 {
        rng.random_range(6..=10)
    } else {
        rng.random_range(11..=30)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn requirements_compare_degrees() {
        assert!(meets_requirement("10", "20"));
        assert!(meets_requirement("20", "20"));
        assert!(!meets_requirement("30", "20"));
        assert!(meets_requirement("80", "00"));
        assert!(!meets_requirement("90", "70"));
    }

    #[test]
    fn salary_ranges_are_ordered() {
        let mut rng = StdRng::seed_from_u64(5);
        for occupation in ["1", "2", "3", "4", "5", "6", "8"] {
            for _ in 0..200 {
                let (lower, upper) = salary_range(&mut rng, occupation, "30");
                assert!(lower >= SALARY_FLOOR && lower < upper, "{lower} {upper}");
                assert_eq!(lower % 500, 0);
            }
        }
    }
}
